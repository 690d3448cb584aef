## /new: the questions
new-not-allowed = Создавать занятия могут преподаватели. Если вы преподаватель, попросите у администратора ссылку-приглашение.
new-ask-title = Как называется занятие? Например: «Вебинар: налоговый вычет».
new-ask-provider = Где провести встречу? Выберите сервис видеосвязи:
new-no-providers = Пока нет ни одного сервиса видеосвязи, которым вы можете пользоваться. Попросите администратора подключить сервис (/providers).
new-ask-link = Пришлите ссылку на встречу, начинающуюся с https://
new-bad-link = Это не похоже на ссылку на встречу. Пришлите адрес целиком, начиная с https://
new-ask-date = Какого числа? Выберите день в календаре или напишите дату, можно сразу со временем: <code>25.12</code>, <code>25.12.2026 18:30</code>, <code>завтра 18:00</code>. Время — по вашему поясу: { $zone }.
new-date-past = Этот день уже прошёл. Выберите сегодняшний или будущий день.
new-ask-time = Во сколько начало { $date }? Напишите время, например <code>18:30</code>. Пояс: { $zone }.
new-ask-duration = Сколько длится занятие? Выберите или напишите в минутах (<code>75</code>) или часах и минутах (<code>1:15</code>).
new-ask-description = Добавьте описание для слушателей: тема, что подготовить. Или пропустите этот шаг.
new-ask-host = Кто ведёт занятие?
new-host-me = Я
new-ask-host-email = Напишите e-mail ведущего в этом сервисе: встреча будет создана от его имени. Или оставьте ведущего, указанного при подключении сервиса.
new-host-email-default = Ведущий из настроек сервиса
new-bad-email = Это не похоже на адрес электронной почты. Напишите его целиком, например <code>ivanov@school.ru</code>.
new-ask-options = Настройки встречи. Нажмите, чтобы изменить, затем «Готово».
new-option-live-stream = Прямая трансляция
new-option-waiting-public = Зал ожидания: нет, входят все
new-option-waiting-organization = Зал ожидания: для гостей вне организации
new-option-waiting-admins = Зал ожидания: для всех, кроме организаторов
new-option-zoom-meeting = Тип: конференция
new-option-zoom-webinar = Тип: вебинар (нужен платный тариф)
new-ask-reminders = Когда напомнить слушателям? Можно выбрать несколько.
new-ask-audience = Кого пригласить? Отметьте группы слушателей и/или ссылку-приглашение на это занятие.
new-ask-audience-no-groups = Кого пригласить? Групп слушателей у вас пока нет (/groups), но можно сделать ссылку-приглашение на это занятие.
new-audience-link = Ссылка-приглашение
new-audience-empty = Отметьте хотя бы одну группу или ссылку-приглашение.
new-skip = Пропустить
new-done = Готово ✔
new-back = ◀ Назад
new-cancel = ✖ Отмена
new-use-buttons = Выберите вариант кнопкой под сообщением выше. /cancel — прервать создание.
new-send-text = Пришлите ответ текстом. /cancel — прервать создание.
new-summary =
    <b>Проверьте занятие</b>
    Название: { $title }
    Сервис: { $provider }
    Начало: { $when }
    Длительность: { $duration }
    Повтор: { $repeat }
    Описание: { $description }
    Ведущий: { $host }
    Напоминания: { $reminders }
    Слушатели: { $audience }
new-summary-no-reminders = без напоминаний
new-summary-missed = { $count ->
    [one] ⚠️ Это напоминание не будет отправлено, его время для такого начала уже прошло: { $reminders }.
    [few] ⚠️ Эти напоминания не будут отправлены, их время для такого начала уже прошло: { $reminders }.
   *[many] ⚠️ Эти напоминания не будут отправлены, их время для такого начала уже прошло: { $reminders }.
}
new-summary-missed-first = { $count ->
    [one] ⚠️ К первому занятию это напоминание не придёт, его время уже прошло (к следующим придёт): { $reminders }.
    [few] ⚠️ К первому занятию эти напоминания не придут, их время уже прошло (к следующим придут): { $reminders }.
   *[many] ⚠️ К первому занятию эти напоминания не придут, их время уже прошло (к следующим придут): { $reminders }.
}
new-drop-missed = Убрать неотправляемые напоминания
reminders-missed-legend = ⌛ — напоминание выбрано, но его время уже прошло: оно не будет отправлено.
new-edit-title = Название
new-edit-provider = Сервис
new-edit-date = Дата
new-edit-time = Время
new-edit-duration = Длительность
new-edit-description = Описание
new-edit-host = Ведущий
new-edit-options = Настройки
new-edit-reminders = Напоминания
new-edit-audience = Слушатели
new-confirm = ✅ Создать занятие
new-creating = Создаю встречу в сервисе { $service }…
new-created = ✅ Занятие создано, приглашения отправляются.
new-provider-failed =
    Не удалось создать встречу: { $reason }
    Занятие сохранено как черновик: когда исправите причину, нажмите «Повторить».
new-failed-internal = внутренняя ошибка бота. Попробуйте ещё раз чуть позже.

## Reminder choices
reminder-label-0m = В момент начала
reminder-label-15m = За 15 минут
reminder-label-1h = За 1 час
reminder-label-1d = За 1 день
reminder-label-2d = За 2 дня
reminder-label-3d = За 3 дня
reminder-label-4d = За 4 дня

## Months
month-1 = Январь
month-2 = Февраль
month-3 = Март
month-4 = Апрель
month-5 = Май
month-6 = Июнь
month-7 = Июль
month-8 = Август
month-9 = Сентябрь
month-10 = Октябрь
month-11 = Ноябрь
month-12 = Декабрь

## /events
events-none = У вас нет предстоящих занятий. Создать — /new
events-heading = { $count ->
    [one] { $count } предстоящее занятие
    [few] { $count } предстоящих занятия
   *[many] { $count } предстоящих занятий
} (страница { $page } из { $pages }). Выберите занятие:
events-listener-none = У вас нет предстоящих занятий. Когда преподаватель пригласит вас, я пришлю приглашение.
events-listener-heading = <b>Ваши предстоящие занятия</b>
events-back-to-list = ◀ К списку занятий

## The teacher's card
event-card-provider = 🎥 Сервис: { $provider }
event-status-line-draft = 📝 Статус: черновик (встреча ещё не создана)
event-status-line-planned = 🟢 Статус: запланировано
event-status-line-cancelled = ❌ Статус: отменено
event-status-line-finished = ⚪ Статус: завершено
event-status-draft = черновик
event-card-join = 🔗 Ссылка для слушателей: { $url }
event-card-host-link = 🎙 Ссылка ведущего: { $url }
event-card-no-link = 🔗 Ссылки на встречу сейчас нет: сделайте новую, когда понадобится.
event-card-listeners = { $count ->
    [one] 👥 { $count } получатель
    [few] 👥 { $count } получателя
   *[many] 👥 { $count } получателей
}; придут: { $yes }, не смогут: { $no }
event-card-delivery = 📬 Доставлено: { $sent }, в очереди: { $pending }, не доставлено: { $failed }
event-card-reminders-late = { $minutes ->
    [one] ⚠️ Напоминания дойдут до последних слушателей с опозданием на { $minutes } минуту: на это время назначено слишком много сообщений.
    [few] ⚠️ Напоминания дойдут до последних слушателей с опозданием на { $minutes } минуты: на это время назначено слишком много сообщений.
   *[many] ⚠️ Напоминания дойдут до последних слушателей с опозданием на { $minutes } минут: на это время назначено слишком много сообщений.
}
event-card-service-keeps-link = ℹ️ { $service } хранит только ссылку на встречу: название и время есть лишь в сообщениях бота.
event-card-last-error = ⚠️ Последняя ошибка: { $error }
event-edit = ✏️ Изменить
event-new-link = 🔄 Новая ссылка
event-remove-link = 🗑 Убрать ссылку
event-cancel = ❌ Отменить занятие
event-copy = 📋 Копировать на другую дату
event-answers = 🙋 Ответы слушателей
event-missed = 📭 Кто не получил
event-invite-link = 🔗 Новая ссылка-приглашение
event-invite-revoke = 🚫 Отозвать ссылку-приглашение
event-invite-expiry-ask = Срок действия новой ссылки-приглашения? Прежние ссылки на это занятие перестанут работать.
event-invite-expiry = { $days ->
        [0] Бессрочная
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    }
event-invite-revoked = { $count ->
        [0] Действующих ссылок-приглашений не было.
        [one] { $count } ссылка-приглашение отозвана: по ней больше не записаться.
        [few] { $count } ссылки-приглашения отозваны: по ним больше не записаться.
       *[many] { $count } ссылок-приглашений отозвано: по ним больше не записаться.
    }
event-retry = 🔁 Повторить
event-delete-draft = 🗑 Удалить черновик
event-not-yours = Это занятие вам недоступно: его ведёт другой преподаватель, или ваши права изменились.
event-action-outdated = Это действие уже не подходит к занятию. Вот его текущее состояние:

## Editing
event-edit-what = «{ $title }»: что изменить? Напоминания включаются и выключаются прямо здесь.
event-edit-title = Название
event-edit-description = Описание
event-edit-when = Дата и время
event-edit-duration = Длительность
event-back-to-card = ◀ К занятию
event-ask-title = Новое название занятия:
event-ask-description = Новое описание (или «-», чтобы убрать его):
event-ask-when = Новые дата и время начала, например <code>25.12 18:30</code> или <code>завтра 18:00</code>:
event-ask-duration = Новая длительность в минутах (<code>90</code>) или часах и минутах (<code>1:30</code>):
event-ask-copy = На какую дату и время скопировать занятие? Например <code>01.12 18:00</code>:
event-send-text = Пришлите ответ текстом. «Назад» под вопросом или /cancel — ничего не менять.
event-when-needs-time = Укажите и дату, и время, например <code>25.12 18:30</code>.
event-prompt-back = ◀ Назад, ничего не менять
event-saved = Сохранено.
event-saved-notified = ✅ Сохранено. Слушатели получили уведомление, их приглашения обновлены.
event-saved-provider-refused = Изменение сохранено в боте, но сервис видеосвязи его не принял: { $reason }
event-provider-refused = Сервис видеосвязи не выполнил действие: { $reason }
event-new-link-done = ✅ Новая ссылка создана, слушатели получили уведомление.
event-link-removed = Ссылка убрана, слушатели получили уведомление.
event-cancel-ask = Отменить «{ $title }»? { $service ->
    [jitsi] Комнату Jitsi Meet удалять не нужно: она существует, только пока в ней кто-то есть.
    [external] Встреча создана в другом сервисе: отмените её там.
    [kontur] Встреча в календаре Контур.Толка будет отменена; саму комнату API удалить не позволяет.
    [none] Встречи у занятия пока нет.
   *[other] Встреча будет удалена в сервисе.
} { $count ->
    [one] { $count } получатель получит уведомление.
    [few] { $count } получателя получат уведомление.
   *[many] { $count } получателей получат уведомление.
}
event-cancel-yes = Да, отменить
event-cancel-no = Нет
event-cancelled = Занятие отменено, слушатели получили уведомление.
event-draft-deleted = Черновик удалён.
event-answers-text =
    <b>Ответы: { $title }</b>
    ✅ Придут ({ $yes }): { $yes_names }
    ❌ Не смогут ({ $no }): { $no_names }
    ❔ Не ответили ({ $silent }): { $silent_names }
event-nudge = 🙋 Напомнить неответившим
event-nudged = { $count ->
    [one] Напоминание об ответе отправится { $count } слушателю.
   *[other] Напоминание об ответе отправится { $count } слушателям.
}
event-missed-none = Приглашение получили все, кому оно отправлено.
event-missed-heading = { $count ->
    [one] Не получил приглашение { $count } получатель:
    [few] Не получили приглашение { $count } получателя:
   *[many] Не получили приглашение { $count } получателей:
}
event-missed-group-chat = групповой чат
event-missed-blocked = заблокировал бота
event-invite-link-text = { $until ->
        [none] Ссылка-приглашение на это занятие, бессрочная: { $link }
       *[other] Ссылка-приглашение на это занятие, действует до { $until }: { $link }
    }
    Сохраните её: я храню только отпечаток ссылки и показать её ещё раз не смогу.
    Открыв её, человек станет слушателем только этого занятия.

## Repeating classes
new-ask-repeat = Занятие повторяется?
new-repeat-once = Не повторять
new-repeat-weekly = Каждую неделю
new-repeat-fortnightly = Каждые 2 недели
new-repeat-daily = Каждый день
new-ask-repeat-days = По каким дням недели? Отметьте дни и нажмите «Готово».
new-ask-repeat-end = Сколько всего занятий (от 2 до 50) или до какой даты? Например: <code>10</code> или <code>31.05.2027</code>.
new-edit-repeat = Повтор
new-repeat-none = не повторяется
err-repeat-no-weekday = Отметьте хотя бы один день недели.
err-repeat-count = В серии может быть от 2 до 50 занятий: Zoom не создаёт больше. Напишите число, например <code>10</code>, или дату окончания.
err-repeat-until = Дата окончания раньше первого занятия. Напишите более позднюю дату или число занятий.
repeat-every-1 = каждый понедельник
repeat-every-2 = каждый вторник
repeat-every-3 = каждую среду
repeat-every-4 = каждый четверг
repeat-every-5 = каждую пятницу
repeat-every-6 = каждую субботу
repeat-every-7 = каждое воскресенье
repeat-on-1 = понедельникам
repeat-on-2 = вторникам
repeat-on-3 = средам
repeat-on-4 = четвергам
repeat-on-5 = пятницам
repeat-on-6 = субботам
repeat-on-7 = воскресеньям
repeat-on-days = по { $days }
repeat-weeks = { $n ->
    [1] каждую неделю
    [one] раз в { $n } неделю
    [few] раз в { $n } недели
   *[many] раз в { $n } недель
}
repeat-daily = { $n ->
    [1] каждый день
    [one] раз в { $n } день
    [few] раз в { $n } дня
   *[many] раз в { $n } дней
}
repeat-at = { $rule } в { $time }
repeat-count = { $n ->
    [one] { $n } занятие
    [few] { $n } занятия
   *[many] { $n } занятий
}
repeat-until = до { $date }
event-card-series = 🔁 { $rule }; занятие { $number } из { $total }
event-cancel-series = ❌ Отменить всю серию
event-cancel-series-ask = Отменить всю серию «{ $title }»? { $service ->
    [jitsi] Комнату Jitsi Meet удалять не нужно;
    [external] Встречу в другом сервисе отмените там;
    [kontur] Текущая встреча в календаре Контур.Толка будет отменена;
    [none] Встречи у текущего занятия нет;
   *[other] Текущая встреча будет удалена в сервисе;
} слушатели получат уведомление, следующих занятий не будет.
event-series-cancelled = Серия отменена: слушатели получили уведомление, новых занятий не будет.

## Rights checked at every use (issue 14)
event-provider-not-usable = этот сервис видеосвязи вам больше недоступен. Попросите администратора открыть к нему доступ или создайте занятие на другом сервисе.
event-copy-provider-not-usable = Скопировать не получится: сервис видеосвязи этого занятия вам недоступен. Создайте новое занятие командой /new на доступном сервисе.
