## Attendance files: the tables (CSV, xlsx) and the chart a teacher downloads.
## Plain text: these go into files, not into Telegram's HTML.
attendance-file-sheet-class = Занятие
attendance-file-sheet-series = Серия

## Table columns
attendance-file-col-name = Имя
attendance-file-col-organisation = Организация
attendance-file-col-status = Статус
attendance-file-col-minutes = Минуты
attendance-file-col-late = Опоздание
attendance-file-col-early = Ранний уход
attendance-file-col-matched-by = Сопоставление
attendance-file-col-pressed-at = Время нажатия
attendance-file-col-attended = Посещено
attendance-file-col-share = Доля, %

## A listener's line in a class
attendance-file-status-attended = присутствовал(а)
attendance-file-status-pressed = нажал(а) «Подключиться»
attendance-file-status-absent = отсутствовал(а)
attendance-file-status-unknown = неизвестно
attendance-file-status-not-matched = не сопоставлен(а)
attendance-file-yes = да
attendance-file-no = нет
attendance-file-matched-token = личная ссылка
attendance-file-matched-registrant = регистрация
attendance-file-matched-email = e-mail
attendance-file-matched-name = имя

## A listener's cell in a series (minutes when they attended)
attendance-file-mark-pressed = ✓
attendance-file-mark-absent = —
attendance-file-mark-unknown = ?

## The lines above the table in the xlsx file
attendance-file-class-when = { $date }, { $from }–{ $to } ({ $zone })
attendance-file-counted-report = Посещаемость — по отчёту сервиса.
attendance-file-counted-presses = Посещаемость — по нажатиям кнопки «Подключиться»: сервис не даёт отчёта, поэтому сколько каждый пробыл на занятии, неизвестно.
attendance-file-counted-waiting = Отчёт сервиса ещё не пришёл: посещаемость появится, когда он придёт.
attendance-file-counted-plan = Отчёта не будет: тариф сервиса не даёт отчётов об участниках.
attendance-file-counted-permission = Отчёта не будет: у подключения к сервису нет права читать отчёты.
attendance-file-counted-no-api = Отчёта не будет: сервис не даёт отчётов об участниках.
attendance-file-counted-presses-not-counted = Посещаемость неизвестна: сервис не даёт отчёта, а нажатия кнопки «Подключиться» бот здесь не считает.
attendance-file-counted-no-report = Отчёта нет: сервис не дал его за полтора дня после занятия.
attendance-file-summary-attended = Были на занятии: { $present } из { $listeners } { $listeners ->
        [one] слушателя
       *[other] слушателей
    }.
attendance-file-summary-pressed = Нажали «Подключиться»: { $present } из { $listeners } { $listeners ->
        [one] слушателя
       *[other] слушателей
    }.
attendance-file-summary-strangers = Не сопоставлены со слушателями: { $n } { $n ->
        [one] участник
        [few] участника
       *[many] участников
    }.
attendance-file-series-period = { $classes } { $classes ->
        [one] занятие
        [few] занятия
       *[many] занятий
    }: { $from } – { $to } ({ $zone })
attendance-file-series-empty = В серии пока нет занятий.
attendance-file-series-legend = В клетках: число — минуты на занятии, «{ $pressed }» — нажал(а) «Подключиться», «{ $absent }» — не был(а), «{ $unknown }» — данных нет, пусто — не приглашён(а).

## The chart
attendance-file-chart-x = Занятия
attendance-file-chart-y = Слушатели
attendance-file-chart-present = Присутствовали
attendance-file-chart-invited = Приглашены
