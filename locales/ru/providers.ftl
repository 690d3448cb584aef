# Провайдеры мероприятий: названия сервисов, ошибки их API и исходы удаления.
# $service — стабильное имя сервиса (telemost, zoom, kontur, mts_link, jitsi, external).

## Названия сервисов

provider-kind-telemost = Яндекс Телемост
provider-kind-zoom = Zoom
provider-kind-kontur = Контур.Толк
provider-kind-mts_link = МТС Линк (Webinar.ru)
provider-kind-jitsi = Jitsi Meet
provider-kind-external = Внешняя ссылка

## Яндекс Телемост

provider-error-telemost-token =
    Телемост не принял OAuth-токен: срок его действия истёк или доступ отозван.
    Получите новый токен: откройте https://oauth.yandex.ru/authorize?response_type=token&client_id=<ClientID вашего приложения>, войдите в Яндекс, скопируйте токен со страницы и сохраните его в настройках провайдера.
provider-error-telemost-live-stream-payment =
    Тариф Яндекс 360 не включает трансляции в Телемосте.
    Создайте встречу без трансляции или подключите тариф с трансляциями.
provider-error-telemost-organization =
    API Телемоста доступен только пользователям Яндекс 360 для бизнеса с аккаунтом на домене организации.
    Получите токен под аккаунтом организации и сохраните его в настройках провайдера.
provider-error-telemost-unknown-cohosts =
    Эти адреса не принадлежат пользователям Яндекса: { $emails }.
    Исправьте или уберите их из списка соорганизаторов и повторите.
provider-error-telemost-forbidden =
    У токена Телемоста нет нужного права.
    Проверьте в приложении на oauth.yandex.ru права telemost-api:conferences.create, .read, .update и .delete, затем получите новый токен.

## Zoom

provider-error-zoom-credentials =
    Zoom не принял данные приложения: Account ID, Client ID или Client Secret неверны, либо приложение не активировано.
    Проверьте их в разделе App Credentials приложения Server-to-Server OAuth и нажмите «Activate your app».
provider-error-zoom-scopes =
    У приложения Zoom не хватает прав (scopes).
    В разделе Scopes добавьте права User, Meeting и Webinar и снова активируйте приложение.
provider-error-zoom-host-not-in-account =
    Пользователя { $email } нет в аккаунте Zoom, к которому относится приложение.
    Укажите ведущего с тем же адресом, под которым он зарегистрирован в Zoom.
provider-error-zoom-webinar-plan =
    В аккаунте Zoom нет тарифа для веб-семинаров.
    Выберите в настройках провайдера тип «конференция» или подключите дополнение Webinars.
provider-error-zoom-daily-limit =
    Исчерпан дневной лимит Zoom на создание и изменение встреч для этого ведущего.
    Повторите завтра или назначьте другого ведущего.

## Контур.Толк

provider-error-kontur-key-invalid =
    Контур.Толк не принял API-ключ: срок его действия истёк или ключ удалён.
    Создайте новый ключ в панели администрирования пространства (раздел «API-ключи») и сохраните его в настройках провайдера.
provider-error-kontur-forbidden =
    API-ключу Контур.Толка не хватает разрешений.
    В разделе «API-ключи» дайте ключу «Чтение и изменение» для «Комнаты» и, если указан ведущий, для «Встречи».
provider-error-kontur-key-expired =
    Срок действия API-ключа Контур.Толка истёк { $date }.
    Продлите ключ или создайте новый в разделе «API-ключи» и сохраните его в настройках провайдера.
provider-error-kontur-missing-scope =
    У API-ключа Контур.Толка нет разрешения «Чтение и изменение» для области «{ $scope ->
        [rooms] Комнаты
        [calendar] Встречи
       *[other] { $scope }
    }».
    Добавьте его в разделе «API-ключи».

## МТС Линк

provider-error-mts-key-invalid =
    МТС Линк не принял API-ключ: он неверен, удалён или неактивен.
    Создайте ключ в личном кабинете: «Бизнес» → «API/Webhooks» → «API» → «Добавить» — и сохраните его в настройках провайдера.
provider-error-mts-conflict =
    МТС Линк отказал: у мероприятия уже есть сессия или этот адрес уже зарегистрирован.
    Проверьте мероприятие в личном кабинете МТС Линк и повторите.

## Общие ошибки

provider-error-meeting-gone =
    Встреча больше не существует в сервисе: её удалили вручную или срок её действия истёк.
    Создайте новую ссылку для мероприятия.
provider-error-rate-limited =
    Слишком много запросов к сервису «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }». Повторите примерно через { $seconds } с.
provider-error-timeout =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» не ответил вовремя. Повторите через минуту; если встреча всё же создалась, она появится в сервисе.
provider-error-server =
    Сбой на стороне сервиса «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» (HTTP { $status }). Повторите позже.
provider-error-malformed =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» прислал непонятный ответ. Проверьте адрес сервиса в настройках провайдера (пустое поле — официальный адрес).
provider-error-wrong-meeting =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» ответил данными другой встречи, не этого мероприятия, поэтому бот оставил прежние ссылки. Проверьте встречу в сервисе или сделайте для мероприятия новую ссылку.
provider-error-network =
    Не удалось связаться с сервисом «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }». Проверьте адрес сервиса в настройках провайдера и повторите позже.
provider-error-rejected =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» отклонил запрос (HTTP { $status }, код «{ $code }»). Проверьте данные занятия и настройки провайдера.
provider-error-rejected-no-code =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» отклонил запрос (HTTP { $status }) и не назвал причину. Проверьте данные занятия и настройки провайдера.
provider-check-rejected =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» не принял проверку (HTTP { $status }, код «{ $code }»). Проверьте ключи, адрес сервиса и права приложения.
provider-check-rejected-no-code =
    Сервис «{ $service ->
        [telemost] Яндекс Телемост
        [zoom] Zoom
        [kontur] Контур.Толк
        [mts_link] МТС Линк
       *[other] { $service }
    }» не принял проверку (HTTP { $status }) и не назвал причину. Проверьте ключи, адрес сервиса и права приложения.

## Ошибки ввода и настроек

provider-input-too-many-cohosts = Соорганизаторов может быть не больше { $max }, а указано { $given }. Уберите лишних.
provider-input-bad-email = «{ $email }» не похоже на адрес электронной почты. Исправьте его.
provider-input-host-email-required = Для этого сервиса нужен адрес электронной почты ведущего. Укажите ведущего мероприятия или ведущего по умолчанию в настройках провайдера.
provider-input-bad-meeting-url = Нужна ссылка на встречу, начинающаяся с https:// (например, https://meet.example.com/abc). Вставьте её целиком.
provider-input-bad-base-url = Адрес сервиса должен начинаться с https://. Исправьте его или оставьте поле пустым для официального адреса.
provider-input-internal-address = Этот адрес ведёт во внутреннюю сеть (частные, локальные и служебные адреса), туда я запросы не отправляю. Укажите публичный адрес сервиса или оставьте поле пустым для официального.
provider-input-bad-space = Адрес пространства Контур.Толка указан неверно. Введите его как «uchi» или «uchi.ktalk.ru».
provider-input-bad-domain = Домен Jitsi указан неверно. Введите имя сервера, например meet.jit.si.
provider-input-missing-credential = Не заполнены данные для входа в сервис. Введите ключ или токен в настройках провайдера.

## Удаление встречи

provider-delete-deleted = Встреча удалена в сервисе.
provider-delete-nothing-to-delete = Комнату Jitsi Meet удалять не нужно: она существует, только пока в ней кто-то есть. Слушатели больше не видят ссылку.
provider-delete-already-gone = Встречи уже не было в сервисе: её удалили раньше или срок её действия истёк.
provider-delete-not-supported = Сервис не позволяет удалить встречу через API, ссылка может продолжать работать. Завершите или удалите встречу в самом сервисе.
provider-delete-not-supported-kontur = Встреча в календаре Контур.Толка отменена, но комнату API удалить не позволяет: ссылка продолжает работать. Удалите комнату в Контур.Толке, если она больше не нужна.
provider-delete-not-supported-external = Встреча создана в другом сервисе: отмените её там, ссылка может продолжать работать.
