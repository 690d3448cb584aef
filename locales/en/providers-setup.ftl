## /providers: the guided setup of each service (from the platform's instructions)

pv-choose-kind = Choose the video service to connect:

pv-guide-telemost =
    <b>Yandex Telemost: preparation</b>
    Done once for each host. You need an account on the "Yandex 360 for Business" plan — only for this setup; creating events later does not need it.

    1. Sign in to your Yandex account and open the app creation form: https://oauth.yandex.ru/client/new
    2. Fill in "Service name", for example "LMS".
    3. Under "App platforms" tick "Web services".
    4. Paste <code>https://oauth.yandex.ru/verification_code</code> into "Redirect URL".
    5. Under "Data access" use the search box to add four permissions:
    • <code>telemost-api:conferences.create</code> — create meetings and streams;
    • <code>telemost-api:conferences.read</code> — read meetings and streams;
    • <code>telemost-api:conferences.update</code> — edit meetings and streams;
    • <code>telemost-api:conferences.delete</code> — delete meetings and streams.
    6. Enter a contact e-mail and press "Create app".
    7. Copy the app's <b>ClientID</b> and send it to me — I will answer with the ready link for getting a token.

pv-guide-zoom =
    <b>Zoom: preparation</b>
    Done once by the host (the teacher). Important: the host must be registered in Zoom with the same e-mail you give me here as the host's e-mail, or meetings cannot be created.

    1. Sign in to Zoom and open "Admin" → "Advanced" → "App Marketplace".
    2. Press "Develop" → "Build App", choose "Server to Server OAuth App" and press "Create".
    3. Name the app, for example your surname + zoom: IvanovZoom.
    4. The "App Credentials" tab shows the Account ID, Client ID and Client Secret — I will need them.
    5. On the "Scopes" tab press "Add Scopes", in "User" select all permissions and press "Done". Repeat for "Meeting" and "Webinar".
    6. On the "Information" tab fill in Short Description, Company Name, Name and Email (Developer Contact Information) and press "Continue".
    7. On the "Activation" tab press "Activate your app".

    Meetings work on any Zoom plan; webinars need a paid plan.

pv-guide-kontur =
    <b>Kontur.Talk: preparation</b>
    The integration needs the "Webinars" plan in Kontur.Talk.

    1. Sign in to Kontur.Talk and open "Settings" with the key button.
    2. On "General settings" find the space address — for example <code>uchi</code> in <code>uchi.ktalk.ru</code>.
    3. Open the "API keys" tab and press "Add".
    4. Enter the app's name and description and the date until which the key works.
    5. Tick the permissions: "Rooms" — "Read and write"; if events will have a host, also "Calendar management" — "Read and write".
    6. Press "Add" at the bottom of the page and copy the key.

    When the key expires, replace it in /providers.

pv-guide-mts_link =
    <b>MTS Link (Webinar.ru): preparation</b>
    You need an MTS Link plan that includes the API.

    1. Sign in to your MTS Link account.
    2. Open "Business" → "API/Webhooks" → "API" and press "Add".
    3. Choose the integration and the access areas: events and participants.
    4. Copy the new key.

pv-guide-jitsi =
    <b>Jitsi Meet</b>
    Nothing to set up: rooms on the public server <code>meet.jit.si</code> need no account. If your organisation runs its own Jitsi server, give me its domain.

pv-guide-external =
    <b>External link</b>
    Nothing to set up: when creating an event the teacher pastes a meeting link from any service, and I send it to the listeners.

## Questions, one per field
pv-ask-tm-client = Send me the <b>ClientID</b> of the app you created (step 7).
pv-ask-tm-token =
    Send me the <b>OAuth token</b> from the Yandex page.
    I delete the message with the token from the chat at once and keep the token encrypted.
pv-ask-tm-wait =
    Who joins the meeting straight away, without a waiting room?
pv-ask-zm-account = Send me the <b>Account ID</b> from the "App Credentials" tab.
pv-ask-zm-client = Send me the <b>Client ID</b>.
pv-ask-zm-secret =
    Send me the <b>Client Secret</b>.
    I delete the message with the secret from the chat at once and keep the secret encrypted.
pv-ask-zm-host =
    Give me the <b>host's</b> e-mail — the teacher whose Zoom profile this is. It must match the Zoom account's e-mail.
    You may skip it: then every event must name its host.
pv-ask-zm-type =
    What should I create in Zoom by default?
    Meetings work on any plan; webinars need a paid plan.
pv-ask-kt-space = Send me the <b>space address</b>: for example <code>uchi</code> or <code>uchi.ktalk.ru</code>.
pv-ask-kt-key =
    Send me the <b>API key</b>.
    I delete the message with the key from the chat at once and keep the key encrypted.
pv-ask-kt-host =
    Give me the default <b>host's</b> e-mail — they need a Kontur.Talk account. This is optional.
pv-ask-kt-anon = Let people without a Kontur.Talk account join by the link?
pv-ask-mts-key =
    Send me the MTS Link <b>API key</b>.
    I delete the message with the key from the chat at once and keep the key encrypted.
pv-ask-jitsi-domain = Send me the domain of your Jitsi server (for example <code>jitsi.example.org</code>) or keep the public <code>meet.jit.si</code>.
pv-ask-name =
    What should this provider be called? Any name — teachers see it when they create an event. For example: "Yandex Telemost", "Ivanov+Zoom".
pv-ask-url =
    The service URL, if it differs from the official one (for example your own proxy). It must start with https://.
    Usually this stays empty — then I use the official address.
pv-ask-place = Who may use this provider?
pv-ask-rename = Send me the provider's new name.

## Field names for "Change …" buttons
pv-field-tm-client = ClientID
pv-field-tm-token = OAuth token
pv-field-tm-wait = waiting room
pv-field-zm-account = Account ID
pv-field-zm-client = Client ID
pv-field-zm-secret = Client Secret
pv-field-zm-host = host e-mail
pv-field-zm-type = event type
pv-field-kt-space = space address
pv-field-kt-key = API key
pv-field-kt-host = host e-mail
pv-field-kt-anon = access without an account
pv-field-mts-key = API key
pv-field-jitsi-domain = Jitsi domain
pv-field-name = name
pv-field-url = service URL
pv-field-place = access

## Answers by button
pv-wait-public = Everyone at once
pv-wait-organization = The organisation's staff; others wait
pv-wait-admins = Organisers only; others wait
pv-zoom-meeting = Meeting
pv-zoom-webinar = Webinar (paid plan)
pv-anon-yes = Yes, by the link
pv-anon-no = No, with an account only
pv-anon-default = As the space is set up
pv-jitsi-default = Use meet.jit.si
pv-skip = Skip
pv-place-shared = All teachers
pv-place-host = Only the host: { $name }
pv-telemost-open = Get the token
pv-telemost-authorize =
    Done. Open the link, sign in to Yandex OAuth and copy the token from the page it takes you to:
    { $url }
    If your app gets a token for the first time, Yandex shows an authorisation screen first.
