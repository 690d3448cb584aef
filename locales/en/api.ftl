## /api: the learning platform's API tokens (administrators)
api-not-allowed = Only administrators issue API tokens.
api-private-only = API tokens can be managed only in a private chat with me.
api-title = { $n ->
    [0] <b>API tokens</b>: none yet. The learning platform calls the bot with a token — issue one with the button below.
    [one] <b>API tokens</b>: { $n } active token.
   *[other] <b>API tokens</b>: { $n } active tokens.
}
api-scope-events = Events and groups (everything)
api-scope-groups = Groups and account links
api-scope-read = Read only
api-last-used = last used { $date }
api-never-used = never used yet
api-button-new = ➕ Issue a token
api-button-revoke = Revoke: { $name }
api-button-revoke-yes = Yes, revoke
api-button-revoke-no = No
api-button-list = Back to the tokens
api-ask-name = What should the token be called? For example: "LMS, main server". Only administrators see the name. /cancel to stop.
api-name-invalid = The name is one line of 1 to { $max } characters. Please try again, or /cancel.
api-ask-scope = What may the token "{ $name }" do?
api-use-buttons = Please choose with a button under the question, or /cancel.
api-created =
    The token "{ $name }" is issued ({ $scope }):

    <code>{ $token }</code>

    Copy it now: I show a token only once and do not keep it myself. Send it in the <code>Authorization: Bearer …</code> header.
api-revoke-ask = Revoke the token "{ $name }"? Requests with it will be refused at once.
api-revoked = The token "{ $name }" is revoked.
api-already-revoked = This token is already revoked.

## Signed links from the learning platform (/start)
api-link-done = Done: your Telegram account is linked to your learning platform account. Classes of your groups will come here.
api-link-expired = This link has expired. Please get a new one on the learning platform — links work for a limited time.
api-link-invalid = This link is not valid: perhaps it was not copied in full. Please open the link from the learning platform again.
