## /providers: the list, cards and checks
pv-list-title = { $n ->
    [0] <b>Providers</b>: none yet. Connect a video service with the button below.
    [one] <b>Providers</b>: { $n } connected. Tap a provider to open it.
   *[other] <b>Providers</b>: { $n } connected. Tap a provider to open it.
}
pv-registration-off = An administrator has turned off teachers' own providers. Please use the shared ones.
pv-not-allowed = This action is not available to you. If your rights have changed, open the section again from the menu.
pv-private-only = I accept service credentials in a private chat only: in a group I cannot delete a message with a key at once. Write to me privately — /providers.
pv-secret-not-deleted = I could not delete your message with the key — please delete it yourself.
pv-secret-saved = Got it: …{ $hint }. The message with the key is deleted from the chat.
pv-secret-saved-short = Got it. The message with the key is deleted from the chat.
pv-text-expected = Please answer with text. /cancel to stop.
pv-use-buttons = Please choose with a button under the question. /cancel to stop.
pv-cancelled = All right, cancelled. Nothing was saved. /providers shows the providers.
pv-draft-lost = Sorry, I could not continue setting up the provider. Please start again — /providers.
pv-gone = This provider no longer exists.
pv-nothing-to-replace = This service has no credentials — there is nothing to replace.
pv-invalid-client-id = That does not look like a ClientID: it is Latin letters and digits (usually 32 characters). Copy it from the app page again.
pv-invalid-secret = A key is one line without spaces. Copy all of it again.
pv-invalid-identifier = The value is one line without spaces, at most 128 characters. Copy it again.
pv-invalid-name = The name must be one line of 1 to 64 characters.
pv-invalid-domain = That does not look like a domain. Send a server name such as <code>jitsi.example.org</code>.
pv-checking = Checking the credentials with the service… This may take a few seconds.
pv-check-failed = <b>The check failed</b>; the provider is not saved yet.
pv-check-account = Account: { $account }
pv-check-expires = The key works until { $date }.
pv-saved = The check passed; the provider is saved.
pv-replaced = The check passed; the new credentials are saved.
pv-renamed = The name is changed.
pv-recheck-ok = The check passed: the credentials work.
pv-recheck-failed = <b>The check failed.</b>
pv-card-title = <b>{ $name }</b>
pv-card-kind = Service: { $kind }
pv-card-shared = Available to all teachers
pv-card-host = Assigned to the host: { $name }
pv-card-private = Private provider of { $name }
pv-card-url = Service URL: { $url }
pv-card-secret = Key: …{ $hint }
pv-card-checked = Checked: { $time }
pv-card-unchecked = Not checked yet
pv-delete-ask = Delete the provider "{ $name }"?
pv-delete-ask-used = { $n ->
    [one] The provider "{ $name }" is used by { $n } planned event. It stays, but no new meetings can be created through this provider. Delete anyway?
   *[other] The provider "{ $name }" is used by { $n } planned events. They stay, but no new meetings can be created through this provider. Delete anyway?
}
pv-delete-more = { $n ->
    [one] …and { $n } more event
   *[other] …and { $n } more events
}
pv-deleted = The provider "{ $name }" is deleted.
pv-button-add = ➕ Connect a service
pv-button-back = ← Back
pv-button-cancel = Cancel
pv-button-fix = Change: { $field }
pv-button-recheck = Check again
pv-button-rename = Rename
pv-button-replace = Replace credentials
pv-button-check = Check
pv-button-delete = Delete
pv-button-delete-yes = Yes, delete
pv-button-delete-no = No
pv-button-list = ← To the list

## /teachers
tc-not-allowed = This is for administrators only.
tc-private-only = Teachers are managed in a private chat with me only.
tc-title = { $n ->
    [0] <b>Teachers</b>: none yet. Invite a teacher with a one-time link.
    [one] <b>Teachers</b>: { $n } person
   *[other] <b>Teachers</b>: { $n } people
}
tc-providers-on = Teachers may connect providers of their own.
tc-providers-off = Teachers may not connect providers of their own — only use the shared ones.
tc-invites-active = { $n ->
    [one] { $n } unused invitation link is active.
   *[other] { $n } unused invitation links are active.
}
tc-button-invite = ➕ Invite a teacher
tc-button-revoke = Revoke: { $name }
tc-button-providers-on = Allow teachers their own providers
tc-button-providers-off = Forbid teachers their own providers
tc-button-revoke-invite = Revoke the link (until { $until })
tc-button-revoke-this = Revoke this link
tc-button-revoke-yes = Yes, revoke
tc-button-revoke-no = No
tc-invite-created = { $days ->
    [one] A one-time link for a teacher (works for { $days } day):
   *[other] A one-time link for a teacher (works for { $days } days):
}
    <code>{ $link }</code>
    Forward it to the teacher. It lets one person in, once.
tc-invite-revoked = The link is revoked: nobody can use it any more.
tc-invite-already-gone = This link no longer works.
tc-revoke-ask = Take the teacher rights from { $name }? Their planned events stay — an administrator can change or cancel them.
tc-revoked = Done: { $name } is no longer a teacher.
tc-not-a-teacher = { $name } is not a teacher any more.
tc-accept-done = Welcome! You are a teacher now.
tc-accept-already = You already have teacher rights. This link is meant for someone else — it stays unused.
