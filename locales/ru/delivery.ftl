## The event card a listener receives
card-title = 📚 <b>{ $title }</b>
card-when = 🗓 { $when }
card-when-format = { $weekday }, { $date }, { $start }–{ $end } ({ $zone }, { $offset })
card-duration = ⏱ { $duration }
card-repeat = 🔁 { $rule }
card-host = 👤 Ведущий: { $host }
card-no-link = 🔗 Ссылка на встречу появится позже: я пришлю её.
card-cancelled = ❌ <b>Занятие отменено.</b>
card-finished = ⚪ Занятие завершилось.
card-rsvp-yes = ✅ Ваш ответ: приду.
card-rsvp-no = ☑️ Ваш ответ: не смогу.
card-rsvp-counts = Придут: { $yes }, не смогут: { $no }.
button-join = ▶️ Подключиться
button-rsvp-yes = ✅ Приду
button-rsvp-no = ❌ Не смогу
button-calendar = 📅 В календарь
button-calendar-remove = 🗑 Убрать из календаря

## Reminders and notices
reminder-text = ⏰ Через { $left } начнётся «{ $title }».
reminder-starting = 🔴 «{ $title }» начинается!
reminder-late = ⌛ Напоминание запоздало: бот был временно недоступен.
notice-changed = ✏️ Занятие «{ $title }» изменилось. Теперь: { $when }. Карточка приглашения выше обновлена.
notice-cancelled = ❌ Занятие «{ $title }» ({ $when }) отменено.
nudge-text = 🙋 Ответьте, пожалуйста, придёте ли вы на «{ $title }» ({ $when }): кнопки в карточке приглашения.

alert-next-occurrence = ⚠️ Не получается создать встречу для следующего занятия серии «{ $title }» ({ $when }): { $reason }
    Я продолжаю пытаться каждые 5 минут. Проверьте подключение сервиса: /providers

## Answers to button presses on the card
rsvp-saved-yes = Записал: вы придёте.
rsvp-saved-no = Записал: вы не сможете прийти.
rsvp-not-listener = Это приглашение не для вас: вы не в списке слушателей.
rsvp-closed = Занятие уже не запланировано: ответ не нужен.
calendar-sent = Файл для календаря отправлен в личные сообщения.
calendar-write-first = Сначала напишите мне в личные сообщения, и я пришлю файл для календаря.
calendar-caption = Откройте файл, чтобы добавить «{ $title }» в календарь.
calendar-update-caption = Занятие «{ $title }» изменилось: откройте этот файл, и запись в вашем календаре обновится.
calendar-remove-caption = Занятие «{ $title }» отменено: откройте этот файл, чтобы убрать его из календаря.

## Dates
weekday-1 = пн
weekday-2 = вт
weekday-3 = ср
weekday-4 = чт
weekday-5 = пт
weekday-6 = сб
weekday-7 = вс
