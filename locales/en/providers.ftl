# Meeting providers: service names, their API errors and delete outcomes.
# $service is the service's stable name (telemost, zoom, kontur, mts_link, jitsi, external).

## Service names

provider-kind-telemost = Yandex Telemost
provider-kind-zoom = Zoom
provider-kind-kontur = Kontur.Talk
provider-kind-mts_link = MTS Link (Webinar.ru)
provider-kind-jitsi = Jitsi Meet
provider-kind-external = External link

## Yandex Telemost

provider-error-telemost-token =
    Telemost rejected the OAuth token: it has expired or access was revoked.
    Get a new token: open https://oauth.yandex.ru/authorize?response_type=token&client_id=<your app's ClientID>, sign in to Yandex, copy the token from the page and save it in the provider settings.
provider-error-telemost-live-stream-payment =
    Your Yandex 360 plan does not include Telemost live streams.
    Create the meeting without a stream, or switch to a plan with streams.
provider-error-telemost-organization =
    The Telemost API is only for Yandex 360 for Business users with an account on the organisation's domain.
    Get a token with an organisation account and save it in the provider settings.
provider-error-telemost-unknown-cohosts =
    These addresses do not belong to Yandex users: { $emails }.
    Correct them or remove them from the co-hosts and try again.
provider-error-telemost-forbidden =
    The Telemost token lacks a permission this needs.
    Check that your app on oauth.yandex.ru has telemost-api:conferences.create, .read, .update and .delete, then get a new token.

## Zoom

provider-error-zoom-credentials =
    Zoom rejected the app credentials: the Account ID, Client ID or Client Secret is wrong, or the app is not activated.
    Check them under App Credentials of your Server-to-Server OAuth app and press "Activate your app".
provider-error-zoom-scopes =
    The Zoom app lacks scopes.
    Under Scopes add the User, Meeting and Webinar scopes and activate the app again.
provider-error-zoom-host-not-in-account =
    { $email } is not a user of the Zoom account the app belongs to.
    Choose the host by the e-mail they use in Zoom.
provider-error-zoom-webinar-plan =
    The Zoom account has no webinar plan.
    Set the provider's event type to "meeting", or add the Webinars add-on.
provider-error-zoom-daily-limit =
    Zoom's daily limit of meeting creations and updates for this host is reached.
    Try again tomorrow or choose another host.

## Kontur.Talk

provider-error-kontur-key-invalid =
    Kontur.Talk rejected the API key: it has expired or was deleted.
    Create a new key in the space's admin panel ("API keys") and save it in the provider settings.
provider-error-kontur-forbidden =
    The Kontur.Talk API key lacks permissions.
    Under "API keys" give it "Read and write" for Rooms and, when a host is set, for Meetings.
provider-error-kontur-key-expired =
    The Kontur.Talk API key expired on { $date }.
    Extend it or create a new one under "API keys" and save it in the provider settings.
provider-error-kontur-missing-scope =
    The Kontur.Talk API key has no "Read and write" permission for { $scope ->
        [rooms] Rooms
        [calendar] Meetings
       *[other] { $scope }
    }.
    Add it under "API keys".

## MTS Link

provider-error-mts-key-invalid =
    MTS Link rejected the API key: it is wrong, deleted or inactive.
    Create a key in your account: Business → API/Webhooks → API → Add, and save it in the provider settings.
provider-error-mts-conflict =
    MTS Link refused: the event already has a session, or this address is already registered.
    Check the event in your MTS Link account and try again.

## Shared errors

provider-error-meeting-gone =
    The meeting no longer exists at the service: it was deleted by hand or has expired.
    Create a new link for the event.
provider-error-rate-limited =
    Too many requests to { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    }. Try again in about { $seconds } s.
provider-error-timeout =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } did not answer in time. Try again in a minute; if the meeting was created anyway, it will show up at the service.
provider-error-server =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } failed on its side (HTTP { $status }). Try again later.
provider-error-malformed =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } sent an answer we could not read. Check the service URL in the provider settings (leave it empty for the official one).
provider-error-wrong-meeting =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } answered with another meeting than this class's, so the bot kept the links it had. Check the meeting in the service, or make a new link for the class.
provider-error-network =
    Could not reach { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    }. Check the service URL in the provider settings and try again later.
provider-error-rejected =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } refused the request (HTTP { $status }, code "{ $code }"). Check the class's details and the provider settings.
provider-error-rejected-no-code =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } refused the request (HTTP { $status }) without saying why. Check the class's details and the provider settings.
provider-check-rejected =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } did not accept the check (HTTP { $status }, code "{ $code }"). Check the keys, the service address and the app's permissions.
provider-check-rejected-no-code =
    { $service ->
        [telemost] Yandex Telemost
        [zoom] Zoom
        [kontur] Kontur.Talk
        [mts_link] MTS Link
       *[other] { $service }
    } did not accept the check (HTTP { $status }) without saying why. Check the keys, the service address and the app's permissions.

## Input and settings errors

provider-input-too-many-cohosts = At most { $max } co-hosts are allowed, { $given } were given. Remove some.
provider-input-bad-email = "{ $email }" does not look like an e-mail address. Correct it.
provider-input-host-email-required = This service needs the host's e-mail. Set the event's host, or a default host in the provider settings.
provider-input-bad-meeting-url = Paste a meeting link that starts with https:// (for example https://meet.example.com/abc), in full.
provider-input-bad-base-url = The service URL must start with https://. Correct it, or leave it empty for the official one.
provider-input-internal-address = This address leads into an internal network (private, local or reserved addresses), and I send no requests there. Give the service's public address, or leave the field empty for the official one.
provider-input-bad-space = The Kontur.Talk space is wrong. Enter it as "uchi" or "uchi.ktalk.ru".
provider-input-bad-domain = The Jitsi domain is wrong. Enter a server name such as meet.jit.si.
provider-input-missing-credential = The service credentials are empty. Enter the key or token in the provider settings.

## Deleting a meeting

provider-delete-deleted = The meeting was deleted at the service.
provider-delete-nothing-to-delete = A Jitsi Meet room needs no deleting: it exists only while someone is in it. Listeners no longer see its link.
provider-delete-already-gone = The meeting was already gone at the service: deleted earlier or expired.
provider-delete-not-supported = The service does not let its API delete the meeting, so the link may still work. End or delete the meeting in the service itself.
provider-delete-not-supported-kontur = The Kontur.Talk calendar event was cancelled, but the API cannot delete the room: its link still works. Delete the room in Kontur.Talk if it is no longer needed.
provider-delete-not-supported-external = The meeting was made in another service: cancel it there; the link may still work.
