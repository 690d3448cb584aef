## Listener groups: /groups for teachers
groups-teachers-only = Группы слушателей ведут преподаватели. Если вы преподаватель, попросите администратора выдать вам права.
groups-not-found = Эта группа не найдена: её удалили, или она принадлежит другому преподавателю.
groups-list = <b>Ваши группы слушателей</b> ({ $count })
groups-list-all = <b>Все группы слушателей</b> ({ $count })
groups-list-empty = Групп пока нет. Создайте первую: я дам ссылку-приглашение, по которой слушатели вступят в группу.
groups-btn-group = { $name } · { $count }
groups-btn-new = ➕ Создать группу
groups-ask-name = Напишите название группы, например «Группа №15-ПБ» (до 100 символов). /cancel — отменить.
groups-ask-rename = Напишите новое название для группы «{ $name }» (до 100 символов). /cancel — оставить как есть.
groups-created = Группа создана.
groups-renamed = Название группы изменено.
groups-menu =
    <b>{ $name }</b>
    { $members ->
        [one] { $members } участник
        [few] { $members } участника
       *[many] { $members } участников
    } · ссылок-приглашений: { $links } · привязанных чатов: { $chats }
groups-btn-members = 👥 Участники
groups-btn-links = 🔗 Ссылки-приглашения
groups-btn-chats = 💬 Групповые чаты
groups-btn-rename = ✏️ Переименовать
groups-btn-delete = 🗑 Удалить
groups-btn-back = ◀️ Назад
groups-btn-back-list = ◀️ К списку групп
groups-delete-confirm =
    Удалить группу «{ $name }»? { $members ->
        [0] В ней никого нет.
        [one] В ней { $members } участник.
        [few] В ней { $members } участника.
       *[many] В ней { $members } участников.
    }
    Ссылки-приглашения перестанут работать, групповые чаты будут отвязаны, а участники не получат приглашений на будущие занятия этой группы.
groups-btn-delete-yes = 🗑 Да, удалить
groups-deleted = Группа «{ $name }» удалена.

## Members
groups-members-title = <b>{ $name }</b>: { $count ->
        [one] { $count } участник
        [few] { $count } участника
       *[many] { $count } участников
    }
groups-members-empty = В группе пока никого нет. Отправьте слушателям ссылку-приглашение.
groups-member = { $n }. <b>{ $name }</b>, в группе с { $joined }
groups-member-organisation = , { $organisation }
groups-member-username = , @{ $username }
groups-member-telegram-name = , в Telegram — { $telegram }
groups-member-blocked = , ⛔ заблокировал(а) бота: сообщения не доходят
groups-btn-remove = ✖ { $n }
groups-btn-prev = ◀️ Предыдущие
groups-btn-next = Следующие ▶️
groups-remove-confirm = Исключить { $member } из группы «{ $name }»? Приглашения на будущие занятия группы больше не будут приходить.
groups-btn-remove-yes = ✖ Да, исключить
groups-member-removed = Участник исключён из группы.
groups-member-gone = Этого человека уже нет в группе.

## Invite links
groups-links-title = <b>{ $name }</b>: { $count ->
        [one] { $count } действующая ссылка-приглашение
        [few] { $count } действующие ссылки-приглашения
       *[many] { $count } действующих ссылок-приглашений
    }
groups-link-forever = • бессрочная, { $uses ->
        [0] пока никто не вступил
        [one] { $uses } вступление
        [few] { $uses } вступления
       *[many] { $uses } вступлений
    }
groups-link-until = • действует до { $until }, { $uses ->
        [0] пока никто не вступил
        [one] { $uses } вступление
        [few] { $uses } вступления
       *[many] { $uses } вступлений
    }
groups-links-hint = Тот, кто откроет ссылку, вступит в группу и получит приглашения на её занятия. Создайте новую ссылку или отзовите старые, если ссылка попала не туда.
groups-btn-link-expiry = { $days ->
        [0] ➕ Ссылка без срока
        [one] ➕ Ссылка на { $days } день
        [few] ➕ Ссылка на { $days } дня
       *[many] ➕ Ссылка на { $days } дней
    }
groups-btn-revoke = 🚫 Отозвать все ссылки
groups-link-created-url =
    Новая ссылка готова: { $url }
    Сохраните её: я храню только отпечаток ссылки и показать её ещё раз не смогу.
groups-links-revoked = { $count ->
        [one] Отозвана { $count } ссылка.
        [few] Отозваны { $count } ссылки.
       *[many] Отозвано { $count } ссылок.
    }

## Group chats
groups-chats-title = <b>{ $name }</b>: { $count ->
        [one] { $count } привязанный групповой чат
        [few] { $count } привязанных групповых чата
       *[many] { $count } привязанных групповых чатов
    }
groups-chat-line = • { $title }
groups-chat-untitled = чат без названия
groups-chats-hint = Если у группы есть чат в Telegram, я могу присылать приглашения туда одним сообщением вместо личных сообщений каждому. Добавьте меня в чат и отправьте там команду привязки.
groups-btn-chat-code = ➕ Привязать чат
groups-btn-unlink = ✖ Отвязать «{ $title }»
groups-chat-code =
    Чтобы привязать чат к группе «{ $name }», добавьте меня в этот чат и отправьте там сообщение:
    <code>/link { $code }</code>
    Команда сработает один раз в течение суток, и только от вас или администратора.
groups-chat-unlinked = Чат отвязан от группы.
groups-chat-gone = Этот чат уже не привязан к группе.

## /link in a group chat
link-in-group-only = Команду /link отправляют в групповом чате, который нужно привязать к группе слушателей. Получить её можно в /groups → группа → «Групповые чаты».
link-usage = Нужен код: отправьте команду целиком, как я её прислал, например <code>/link 8fK2…</code>.
link-invalid = Этот код привязки недействителен: он уже использован, истёк или набран с ошибкой. Получите новый в /groups → группа → «Групповые чаты».
link-not-allowed = Привязать чат может только преподаватель этой группы или администратор.
link-done = Готово: этот чат привязан к группе «{ $name }». Приглашения на занятия группы будут приходить сюда.

## Typed lines
listeners-need-text = Пришлите, пожалуйста, текст одним сообщением. /cancel — отменить.
listeners-not-a-command = Это похоже на команду, а я жду текст. Напишите его ещё раз или отправьте /cancel, чтобы отменить.
listeners-err-empty = Текст пустой. Напишите его, пожалуйста, ещё раз.
listeners-err-too-long = Слишком длинно: { $actual } символов, а можно не больше { $max }. Сократите, пожалуйста.
listeners-err-email = Это не похоже на адрес электронной почты. Напишите, пожалуйста, так: ivan.petrov@school.ru
listeners-err-control = Напишите, пожалуйста, в одну строку, без переносов и служебных символов.

## Joining by link
join-group-done = Вы вступили в группу «{ $name }». Я пришлю приглашения на её занятия и напомню о начале.
join-group-already = Вы уже в группе «{ $name }». Ничего делать не нужно: приглашения на занятия придут сюда.
join-event-done = Вы записаны на занятие «{ $title }». Приглашение и напоминания придут сюда.
join-event-already = Вы уже записаны на занятие «{ $title }».

## Profile: full name and organisation
profile-ask-full-name-first = Как вас записать в списке слушателей? Напишите фамилию, имя и отчество — так преподаватель узнает вас, даже если в Telegram у вас псевдоним. Можно пропустить.
profile-ask-organisation-first = Из какой вы организации? Например, «ООО „Ромашка“» или «Группа №15-ПБ». Тоже можно пропустить.
profile-btn-skip = Пропустить
profile-thanks = Спасибо! Изменить имя, организацию, язык и часовой пояс можно в /settings.
profile-ask-full-name = Напишите фамилию, имя и отчество (до 150 символов). /cancel — оставить как есть.
profile-ask-organisation = Напишите название организации (до 200 символов). /cancel — оставить как есть.
profile-full-name-saved = Фамилия, имя и отчество сохранены: { $value }.
profile-organisation-saved = Организация сохранена: { $value }.
profile-unset-full-name = не указаны
profile-unset-organisation = не указана
profile-settings =
    <b>Настройки</b>
    Язык: { $language }
    Часовой пояс: { $zone }
    Фамилия, имя и отчество: { $full_name }
    Организация: { $organisation }
    Электронная почта: { $email }
profile-btn-language = 🌐 Язык
profile-btn-timezone = 🕒 Часовой пояс
profile-btn-full-name = ✏️ Фамилия, имя и отчество
profile-btn-organisation = 🏢 Организация

## /leave
leave-nothing = Вы не состоите ни в одной группе и не записаны на занятия по ссылке.
leave-ask = Откуда вы хотите выйти?
leave-btn-group = 👥 { $name }
leave-btn-event = 📅 { $title }
leave-btn-stay = Остаться
leave-btn-yes = Да, выйти
leave-stayed = Хорошо, всё остаётся как было.
leave-not-member = Вы уже не участник: выходить неоткуда.
leave-group-confirm = Выйти из группы «{ $name }»? Приглашения на её занятия больше не будут приходить.
leave-group-done = Вы вышли из группы «{ $name }».
leave-event-confirm = Отказаться от занятия «{ $title }»? Напоминания о нём больше не будут приходить.
leave-event-done = Вы больше не записаны на занятие «{ $title }».
link-taken = Этот чат уже привязан к группе другого преподавателя — { $owner }. Перепривязать его можно, только когда { $owner } отвяжет его в /groups → группа → «Групповые чаты».
profile-ask-email = Напишите адрес электронной почты, под которым вы входите в Zoom или Контур.Толк: по нему отчёт сервиса узнает вас на занятии. Писем бот не шлёт. /cancel — оставить как есть.
profile-email-saved = Адрес сохранён: { $value }.
profile-unset-email = не указан
profile-btn-email = ✉️ Электронная почта
