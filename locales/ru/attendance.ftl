## Attendance: who came to a class, and for how long

event-attendance = 👥 Кто был на занятии
attendance-open = 👥 Открыть отчёт
attendance-ready = 👥 Пришёл отчёт о посещаемости занятия «{ $title }» ({ $when }).
attendance-service-gives-none = ℹ️ Сервис занятия «{ $title }» не даёт отчётов о посещаемости: { $reason }
    Больше спрашивать его не буду; если ключ или тариф сменятся, обновите подключение в /providers.

attendance-unavailable-plan = на этом тарифе отчётов нет (Zoom даёт их с тарифа Pro и выше).
attendance-unavailable-permission = у ключа нет права читать отчёты (Zoom: report:read:admin; Контур.Толк: application.reporting.read).
attendance-unavailable-no-api = у сервиса нет отчётов о посещаемости.

attendance-title = 👥 Посещаемость: «{ $title }»
attendance-counted-report = По отчёту сервиса.
attendance-counted-presses = Сервис не даёт отчётов: считаю нажатия кнопки «Подключиться». Нажал — не значит «был всё занятие».
attendance-counted-waiting = Отчёт сервиса ещё не готов: спрошу снова (до полутора суток после занятия).
attendance-counted-no-report = Сервис так и не дал отчёт за полтора дня после занятия.
attendance-counted-not-counted = Сервис не даёт отчётов, а нажатия «Подключиться» не считаются: для этого боту нужен адрес PUBLIC_URL.

attendance-section-attended = { $count ->
    [one] Были — { $count } человек:
    [few] Были — { $count } человека:
   *[other] Были — { $count } человек:
}
attendance-section-pressed = { $count ->
    [one] Нажали «Подключиться» — { $count } человек:
    [few] Нажали «Подключиться» — { $count } человека:
   *[other] Нажали «Подключиться» — { $count } человек:
}
attendance-section-absent = { $count ->
    [one] Не было — { $count } человека:
   *[other] Не было — { $count } человек:
}
attendance-section-unmatched = { $count ->
    [one] Не узнал — { $count } участник (нет среди слушателей):
    [few] Не узнал — { $count } участника (нет среди слушателей):
   *[other] Не узнал — { $count } участников (нет среди слушателей):
}
attendance-minutes = { $minutes ->
    [one] { $minutes } минута
    [few] { $minutes } минуты
   *[other] { $minutes } минут
}
attendance-late = опоздал
attendance-left-early = ушёл раньше
attendance-no-listeners = У занятия нет слушателей, приглашённых лично.
attendance-more-in-file = …и ещё { $count } — полный список в файле.

attendance-download-xlsx = 📊 Скачать .xlsx
attendance-download-csv = 📄 Скачать .csv
attendance-download-caption = Посещаемость: «{ $title }»
attendance-download-failed = Не получилось собрать файл. Попробуйте ещё раз чуть позже.
attendance-series = 📈 По всей серии

attendance-series-title = 📈 Посещаемость серии «{ $title }»
attendance-series-class = { $date }: были { $present } из { $invited }
attendance-series-listener = { $name } — { $present } из { $counted } ({ $share } %)
attendance-series-empty = У серии ещё нет прошедших занятий.
attendance-chart-caption = Посещаемость серии «{ $title }»

## Past classes, for their attendance
events-past = 🕘 Прошедшие занятия
events-past-none = За последние { $days } дней прошедших занятий нет.
events-past-heading = { $count ->
    [one] { $count } прошедшее занятие
    [few] { $count } прошедших занятия
   *[many] { $count } прошедших занятий
} (страница { $page } из { $pages }). Выберите занятие:
