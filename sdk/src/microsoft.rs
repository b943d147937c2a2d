//! What every Microsoft Graph plugin shares: the identity platform's OAuth with the tenant as an
//! account field, Graph's error envelope, and its `@odata.nextLink` paging.
//!
//! Outlook, Microsoft Calendar, OneDrive and Teams are separate integrations on one API
//! (`https://graph.microsoft.com/v1.0`); an operator may register one app for all of them.
//! [`provider`] starts each of them, [`graph`] is their API client, and [`list`] fetches any
//! Graph collection page by page.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api::Api;
use crate::http::{Request, Response};
use crate::paginate::{Limits, Page, Paged, collect};
use crate::{Auth, ConnectedAccount, Error, Field, OAuth2, Provider};

/// The origin every Graph call goes to.
pub const GRAPH_ORIGIN: &str = "https://graph.microsoft.com";

/// The base of Graph v1.0 paths: `{GRAPH_BASE}/me/messages`.
pub const GRAPH_BASE: &str = "https://graph.microsoft.com/v1.0";

/// The identity platform's endpoints, with the account's `tenant` field as a path segment.
pub const AUTHORIZE_URL: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize";
pub const TOKEN_URL: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";

/// The scope without which the identity platform issues no refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// The scope [`provider`]'s connect step needs to read the signed-in user's address.
pub const USER_READ: &str = "User.Read";

/// The identity platform's OAuth 2 (authorization code with PKCE; no revocation endpoint
/// exists), requesting `offline_access` beside `default_scopes` so that a refresh token is
/// issued. Scopes are Graph's short permission names (`Mail.Send`), which is also how the token
/// response reports them.
///
/// ```
/// let oauth = actionhost_sdk::microsoft::oauth(&["User.Read", "Mail.Send"]);
/// ```
pub fn oauth(default_scopes: &[&str]) -> OAuth2 {
    let mut scopes = vec![OFFLINE_ACCESS];
    scopes.extend(default_scopes.iter().filter(|s| **s != OFFLINE_ACCESS));
    OAuth2::new(AUTHORIZE_URL, TOKEN_URL).scopes(&scopes)
}

/// The account's Microsoft Entra tenant, a path segment of the OAuth endpoints: `common` (work,
/// school and personal Microsoft accounts), `organizations` (work and school only), `consumers`
/// (personal only), or one organisation's tenant id or domain. Single-tenant apps need their
/// tenant; an operator usually fixes it once for every user in the connection's `fields`.
///
/// ```
/// let tenant = actionhost_sdk::microsoft::tenant_field();
/// ```
pub fn tenant_field() -> Field {
    Field::user(
        "tenant",
        "Microsoft Entra tenant to sign in with: `common` for any work, school or personal \
         Microsoft account, `organizations` for work and school accounts only, `consumers` for \
         personal accounts only, or your organisation's tenant id or domain \
         (`contoso.onmicrosoft.com`).",
    )
    .pattern("[A-Za-z0-9][A-Za-z0-9.-]{0,63}")
    .required()
}

/// A Graph integration: [`oauth`] with `User.Read` and `default_scopes`, the Graph origin, the
/// [`tenant_field`], and a connect step that labels the account with the user's e-mail address
/// (`GET /me`). Add actions, and origins without credentials where Graph hands out pre-signed
/// URLs.
///
/// ```
/// let outlook = actionhost_sdk::microsoft::provider("outlook", "Outlook", &["Mail.ReadWrite", "Mail.Send"])
///     .version("0.1.0")
///     .description("Read, send and organise Outlook mail.");
/// ```
pub fn provider(id: &str, name: &str, default_scopes: &[&str]) -> Provider {
    let mut scopes = vec![USER_READ];
    scopes.extend(default_scopes.iter().filter(|s| **s != USER_READ));
    Provider::new(id, name)
        .auth(Auth::bearer_oauth2(oauth(&scopes)))
        .origin(GRAPH_ORIGIN)
        .field(tenant_field())
        .after_connect(|_ctx| me_label())
}

/// Labels an account with the signed-in user's mail address, or their sign-in name when the
/// mailbox has no address (personal accounts often lack `mail`).
fn me_label() -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Me {
        mail: Option<String>,
        user_principal_name: Option<String>,
        display_name: Option<String>,
    }
    let me: Me = graph()
        .get("/me")
        .query(&[("$select", "mail,userPrincipalName,displayName")])
        .send()?
        .json()?;
    let label = [me.mail, me.user_principal_name, me.display_name]
        .into_iter()
        .flatten()
        .find(|l| !l.trim().is_empty());
    Ok(label.map(ConnectedAccount::labelled).unwrap_or_default())
}

/// The Graph v1.0 client: [`GRAPH_BASE`], `Accept: application/json`, and [`graph_errors`].
///
/// ```
/// use actionhost_sdk::{microsoft, path};
/// let r = microsoft::graph().get(&path!("/me/mailFolders/{}/messages", "inbox"));
/// assert_eq!(r.url(), "https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages");
/// ```
pub fn graph() -> Api {
    Api::new(GRAPH_BASE)
        .header("Accept", "application/json")
        .errors(graph_errors)
}

/// Graph's error envelope, `{"error": {"code": "ErrorItemNotFound", "message": "..."}}`, as an
/// [`ErrorHook`](crate::http::ErrorHook). The message an agent sees is `code: message`. 401 →
/// not connected; 404 → not found; 429, and 503 or 509 sent with `Retry-After` (Graph's
/// throttling answers) → rate limited with that delay; any other error status → an upstream
/// error.
///
/// ```
/// use actionhost_sdk::{Error, http::Response, microsoft::graph_errors};
/// let body = br#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}"#;
/// let r = Response::from_parts(404, vec![], body.to_vec());
/// assert_eq!(graph_errors(&r), Some(Error::not_found("ErrorItemNotFound: The specified object was not found in the store.")));
/// let r = Response::from_parts(503, vec![("retry-after".into(), "12".into())], br#"{"error":{"code":"ServiceUnavailable","message":"Try later"}}"#.to_vec());
/// assert_eq!(graph_errors(&r), Some(Error::rate_limited("ServiceUnavailable: Try later", Some(12))));
/// let r = Response::from_parts(503, vec![], b"".to_vec());
/// assert!(matches!(graph_errors(&r), Some(Error::Upstream { status: 503, .. })));
/// assert_eq!(graph_errors(&Response::from_parts(202, vec![], vec![])), None);
/// ```
pub fn graph_errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct Envelope {
        error: Body,
    }
    #[derive(Deserialize)]
    struct Body {
        code: Option<String>,
        message: Option<String>,
    }
    let status = response.status();
    if status < 400 {
        return None;
    }
    let body = response.json::<Envelope>().ok().map(|e| e.error);
    let code = body.as_ref().and_then(|b| b.code.clone());
    let text = body.and_then(|b| b.message).filter(|m| !m.is_empty());
    let message = match (code, text) {
        (Some(code), Some(text)) => format!("{code}: {text}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => format!("HTTP {status}"),
    };
    let retry_after = response.seconds("retry-after");
    Some(match status {
        401 => Error::unauthorized(message),
        404 => Error::not_found(message),
        429 => Error::rate_limited(message, retry_after),
        503 | 509 if retry_after.is_some() => Error::rate_limited(message, retry_after),
        _ => response.upstream_error(message),
    })
}

/// A page of a Graph collection: `{"value": [...], "@odata.nextLink": "https://..."}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
    /// The full URL of the next page; absent on the last one.
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

/// One page of a collection answer, its next link as the cursor.
///
/// ```
/// use actionhost_sdk::{http::Response, microsoft};
/// let body = br#"{"value":[{"id":"1"}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/me/messages?$skip=1"}"#;
/// let page = microsoft::page::<serde_json::Value>(&Response::from_parts(200, vec![], body.to_vec())).unwrap();
/// assert_eq!(page.items.len(), 1);
/// assert_eq!(page.next.as_deref(), Some("https://graph.microsoft.com/v1.0/me/messages?$skip=1"));
/// ```
pub fn page<T: DeserializeOwned>(response: &Response) -> Result<Page<T>, Error> {
    let collection: Collection<T> = response.json()?;
    Ok(Page::new(collection.value, collection.next_link))
}

/// Fetches a Graph collection from `first` — or, when the caller passes the `cursor` a previous
/// call returned, from that next link, sent with `first`'s headers (`Prefer`,
/// `ConsistencyLevel`) — following next links up to `limits`. The returned `next_cursor` is
/// Graph's next link. A cursor that is not a Graph v1.0 URL is refused as invalid input, so an
/// agent cannot point a list action anywhere else.
///
/// ```no_run
/// use actionhost_sdk::prelude::*;
/// use actionhost_sdk::{microsoft, paginate::Limits};
/// # fn demo(cursor: Option<String>) -> Result<(), Error> {
/// let first = microsoft::graph().get("/me/mailFolders").query(&[("$top", 50)]);
/// let folders = microsoft::list::<Value>(cursor, Limits::pages(1), first)?;
/// # Ok(()) }
/// ```
pub fn list<T: DeserializeOwned>(
    cursor: Option<String>,
    limits: Limits,
    first: Request,
) -> Result<Paged<T>, Error> {
    let start = match cursor.map(|c| c.trim().to_string()) {
        Some(cursor) if !cursor.is_empty() => Some(checked_cursor(cursor)?),
        _ => None,
    };
    collect(start, limits, |cursor| {
        let request = match cursor {
            None => first.clone(),
            Some(link) => first.clone().with_url(link),
        };
        page(&request.send()?)
    })
}

/// A caller's cursor, if it is a Graph v1.0 next link.
///
/// ```
/// use actionhost_sdk::microsoft::checked_cursor;
/// assert!(checked_cursor("https://graph.microsoft.com/v1.0/me/messages?$skip=10".into()).is_ok());
/// assert!(checked_cursor("https://evil.example/v1.0/me".into()).is_err());
/// assert!(checked_cursor("https://graph.microsoft.com/beta/me/messages".into()).is_err());
/// ```
pub fn checked_cursor(cursor: String) -> Result<String, Error> {
    let ours = cursor
        .strip_prefix(GRAPH_BASE)
        .is_some_and(|rest| rest.starts_with('/'));
    if ours {
        Ok(cursor)
    } else {
        Err(Error::invalid_input(format!(
            "`cursor` must be the `next_cursor` a previous call returned (a {GRAPH_BASE}/ link)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::Context;
    use crate::testing::{Transport, after_connect};

    #[test]
    fn list_follows_next_links_with_the_first_requests_headers() {
        let transport = Transport::install();
        let next = "https://graph.microsoft.com/v1.0/me/messages?%24skip=2";
        transport.reply_json(
            200,
            json!({"value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": next}),
        );
        transport.reply_json(200, json!({"value": [{"id": "c"}]}));
        let first = graph()
            .get("/me/messages")
            .query(&[("$top", "2")])
            .header("Prefer", "outlook.body-content-type=\"text\"");
        let listed = list::<Value>(None, Limits::pages(5), first).unwrap();
        assert_eq!(
            listed.items,
            [json!({"id": "a"}), json!({"id": "b"}), json!({"id": "c"})]
        );
        assert_eq!(listed.next_cursor, None);
        let requests = transport.requests();
        assert_eq!(
            requests[0].url,
            "https://graph.microsoft.com/v1.0/me/messages?%24top=2"
        );
        assert_eq!(requests[1].url, next);
        for request in &requests {
            assert_eq!(request.method, "GET");
            assert!(request.headers.contains(&(
                "Prefer".to_string(),
                "outlook.body-content-type=\"text\"".to_string()
            )));
        }
    }

    #[test]
    fn list_stops_at_the_limit_and_hands_back_the_next_link() {
        let transport = Transport::install();
        let next = "https://graph.microsoft.com/v1.0/me/mailFolders?%24skip=1";
        transport.reply_json(
            200,
            json!({"value": [{"id": "inbox"}], "@odata.nextLink": next}),
        );
        let first = graph().get("/me/mailFolders");
        let listed = list::<Value>(None, Limits::pages(1), first.clone()).unwrap();
        assert_eq!(listed.next_cursor.as_deref(), Some(next));

        transport.reply_json(200, json!({"value": [{"id": "drafts"}]}));
        let rest = list::<Value>(listed.next_cursor, Limits::pages(1), first).unwrap();
        assert_eq!(rest.items, [json!({"id": "drafts"})]);
        assert_eq!(transport.requests()[1].url, next);
    }

    #[test]
    fn a_cursor_elsewhere_is_refused_before_anything_is_sent() {
        let transport = Transport::install();
        for cursor in [
            "https://attacker.example/v1.0/me/messages",
            "https://graph.microsoft.com.attacker.example/v1.0/me",
            "https://graph.microsoft.com/beta/me/messages",
            "/me/messages",
        ] {
            let error = list::<Value>(
                Some(cursor.to_string()),
                Limits::pages(1),
                graph().get("/me/messages"),
            )
            .unwrap_err();
            assert!(
                matches!(&error, Error::InvalidInput(m) if m.contains("`cursor`")),
                "{cursor}: {error:?}"
            );
        }
        assert!(transport.requests().is_empty());
    }

    #[test]
    fn errors_arrive_through_the_graph_client() {
        let transport = Transport::install();
        transport.reply(
            429,
            &[("Retry-After", "30"), ("content-type", "application/json")],
            r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#,
        );
        let error = graph().get("/me/messages").send().unwrap_err();
        assert_eq!(
            error,
            Error::rate_limited("TooManyRequests: Please retry again later.", Some(30))
        );
        transport.reply(
            401,
            &[],
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}"#,
        );
        let error = graph().get("/me").send().unwrap_err();
        assert_eq!(
            error,
            Error::unauthorized("InvalidAuthenticationToken: Access token has expired.")
        );
        transport.reply(
            403,
            &[],
            r#"{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}"#,
        );
        let error = graph().get("/me/messages").send().unwrap_err();
        assert!(
            matches!(&error, Error::Upstream { status: 403, message, .. } if message == "ErrorAccessDenied: Access is denied."),
            "{error:?}"
        );
    }

    #[test]
    fn connect_labels_the_account_with_the_mail_address_or_sign_in_name() {
        let provider = provider("outlook", "Outlook", &["Mail.Read"]);
        let transport = Transport::install();
        transport.reply_json(
            200,
            json!({"mail": null, "userPrincipalName": "ada@contoso.onmicrosoft.com", "displayName": "Ada"}),
        );
        let account = after_connect(&provider, &Context::new("u1")).unwrap();
        assert_eq!(
            account.label.as_deref(),
            Some("ada@contoso.onmicrosoft.com")
        );
        assert_eq!(
            transport.only_request().url,
            "https://graph.microsoft.com/v1.0/me?%24select=mail%2CuserPrincipalName%2CdisplayName"
        );
    }

    #[test]
    fn the_provider_declares_tenant_templated_oauth_with_offline_access() {
        let info = crate::provider::dispatch::info(&provider(
            "onedrive",
            "OneDrive",
            &["Files.ReadWrite", "User.Read"],
        ));
        let crate::bindings::actionhost::provider::types::AuthKind::Oauth2(oauth) = info.auth
        else {
            panic!("not OAuth 2: {:?}", info.auth);
        };
        assert_eq!(oauth.authorize_url, AUTHORIZE_URL);
        assert_eq!(oauth.token_url, TOKEN_URL);
        assert_eq!(
            oauth.default_scopes,
            ["offline_access", "User.Read", "Files.ReadWrite"]
        );
        assert_eq!(info.origins.len(), 1);
        assert_eq!(info.origins[0].origin, GRAPH_ORIGIN);
        assert_eq!(info.account_fields[0].name, "tenant");
    }
}
