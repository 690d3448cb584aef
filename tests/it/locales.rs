//! Every text exists in both languages and formats without errors, for each plural category.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use webinar_bot::i18n::{Lang, num, try_format};

/// Message ids and the variables each one uses, from all `.ftl` files of one language.
fn messages(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
    let mut messages = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "ftl")) {
        let source = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<String> = None;
        for line in source.lines() {
            let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if starts_message {
                let id = line.split('=').next().unwrap().trim().to_owned();
                assert!(messages.insert(id.clone(), BTreeSet::new()).is_none(), "{lang}: {id} is defined twice");
                current = Some(id);
            } else if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(id) = &current {
                let vars = messages.get_mut(id).unwrap();
                for piece in line.split('$').skip(1) {
                    let name: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    vars.insert(name);
                }
            }
        }
    }
    messages
}

#[test]
fn both_languages_have_the_same_keys() {
    let ru: BTreeSet<_> = messages("ru").into_keys().collect();
    let en: BTreeSet<_> = messages("en").into_keys().collect();
    let only_ru: Vec<_> = ru.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&ru).collect();
    assert!(only_ru.is_empty() && only_en.is_empty(), "missing in en: {only_ru:?}; missing in ru: {only_en:?}");
    assert!(ru.len() > 30, "the catalogue was read: {}", ru.len());
}

#[test]
fn every_message_formats_for_every_plural_category() {
    for (lang, code) in [(Lang::Ru, "ru"), (Lang::En, "en")] {
        for (id, vars) in messages(code) {
            for n in [0, 1, 2, 5, 11, 21, 22, 25] {
                let args: Vec<_> = vars.iter().map(|v| (leak(v), num(n))).collect();
                let text = try_format(lang, &id, &args).unwrap_or_else(|e| panic!("{code} {id}: {e}"));
                assert!(!text.trim().is_empty(), "{code} {id} is empty");
            }
        }
    }
}

fn leak(name: &str) -> &'static str {
    Box::leak(name.to_owned().into_boxed_str())
}
