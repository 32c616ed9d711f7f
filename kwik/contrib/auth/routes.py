"""Auth's endpoints, mounted at `/auth`: register, log in and out (bearer tokens and browser
sessions), who am I, change and reset a password. `docs/auth.md` describes each.

Three rules run through them. Nothing tells a caller whether an email has an account: login,
registration and reset requests answer alike, after the same work. Nothing secret leaves: the
user is answered through `UserOut`, and a token is answered once, to the one who logged in.
Changing a password (or resetting it) ends every other way into the account.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTasks

from kwik.contrib.auth.authentication import authenticate, record_login
from kwik.contrib.auth.base_user import AbstractUser, normalize_email
from kwik.contrib.auth.dependencies import (
    CurrentAuthentication,
    CurrentUser,
    cross_site_refused,
    current_user,
)
from kwik.contrib.auth.passwords import InvalidPassword, hash_password, validate_password
from kwik.contrib.auth.resets import (
    cancel_password_resets,
    create_password_reset,
    find_password_reset,
    spend_password_reset,
)
from kwik.contrib.auth.schemas import (
    Message,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    SessionOut,
    TokenOut,
    UserOut,
    login_schema,
    register_schema,
)
from kwik.contrib.auth.senders import PasswordResetMessage, get_password_reset_sender
from kwik.contrib.auth.sessions import (
    clear_session_cookie,
    end_session,
    end_session_of_cookie,
    end_user_sessions,
    refuses_cross_site,
    set_session_cookie,
    start_session,
)
from kwik.contrib.auth.tokens import issue_token, revoke_token, revoke_user_tokens
from kwik.contrib.auth.users import get_user_model
from kwik.db import DBSession
from kwik.http import Depends, HTTPError, Request, RequestValidationError, Response, Router

__all__ = ["router"]

logger = logging.getLogger("kwik.contrib.auth")
router = Router(tags=["auth"])

Credentials = login_schema(get_user_model())
Registration = register_schema(get_user_model())
Authenticated = [Depends(current_user)]

REGISTERED = "Registration received: log in with your email and password."
RESET_REQUESTED = "If an active account has this email, a message with a reset token is on its way."
_INVALID_CREDENTIALS = {
    401: {"description": "Wrong username or password, or an inactive account (one answer)"}
}
_INVALID_RESET = {400: {"description": "The reset token is malformed, unknown, expired or used"}}


def invalid_credentials() -> HTTPError:
    """401 for a failed login: one answer for a wrong username, a wrong password, an inactive
    account."""
    return HTTPError(
        401,
        "The username or password is wrong",
        title="Invalid credentials",
        type="urn:kwik:problem:invalid-credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )


def invalid_reset_token() -> HTTPError:
    return HTTPError(
        400,
        "The reset token is invalid, expired or already used; ask for a new one",
        title="Invalid reset token",
        type="urn:kwik:problem:invalid-reset-token",
    )


def _password_problems(field: str, password: str, user: object) -> None:
    """422 at `body.<field>` with one entry per rule the password breaks."""
    try:
        validate_password(password, user)
    except InvalidPassword as exc:
        raise RequestValidationError(
            {"loc": ["body", field], "msg": problem.message, "type": problem.code}
            for problem in exc.problems
        ) from None


def _no_store(response: Response) -> None:
    """Answers carrying credentials must not be cached (RFC 6749, section 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


async def _log_in(session: AsyncSession, credentials: Any) -> AbstractUser:
    data = credentials.model_dump()
    username = data[get_user_model().USERNAME_FIELD]
    user = await authenticate(session, username, data["password"])
    if user is None:
        raise invalid_credentials()
    record_login(user)
    return user


@router.post("/register", status_code=202, responses={403: {"description": "Registration is off"}})
async def register(registration: Registration, session: DBSession) -> Message:  # type: ignore[valid-type]
    """Create an account (when `AUTH_ALLOW_REGISTRATION` is on).

    Answers 202 with the same body whether the email was new or already had an account, so
    the endpoint can't be used to find out which emails do; both take one password hash. A
    password the validators refuse is a 422 listing each rule it breaks.
    """
    from kwik.conf import settings

    if not settings.AUTH_ALLOW_REGISTRATION:
        raise HTTPError(403, "Registration is closed", type="urn:kwik:problem:registration-closed")
    model = get_user_model()
    fields: dict[str, Any] = registration.model_dump()  # type: ignore[attr-defined]
    password = fields.pop("password")
    fields = _normalized(model, fields)
    _password_problems("password", password, fields)
    if await _taken(session, model, fields):
        await hash_password(password)  # the time a new account takes
        return Message(detail=REGISTERED)
    user = model(**fields)
    await user.set_password(password)
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:  # registered meanwhile by a concurrent request
        pass
    return Message(detail=REGISTERED)


def _normalized(model: type[AbstractUser], fields: dict[str, Any]) -> dict[str, Any]:
    """The username and email as stored; a 422 naming each that can't be."""
    normalizers = {
        model.EMAIL_FIELD: normalize_email,
        model.USERNAME_FIELD: model.normalize_username,
    }
    problems = []
    for name, normalize in normalizers.items():
        try:
            fields[name] = normalize(fields[name])
        except ValueError:
            problems.append(
                {"loc": ["body", name], "msg": f"Not a valid {name}", "type": "value_error"}
            )
    if problems:
        raise RequestValidationError(problems)
    return fields


async def _taken(session: AsyncSession, model: type[AbstractUser], fields: dict[str, Any]) -> bool:
    unique = {model.USERNAME_FIELD, model.EMAIL_FIELD}
    found = select(model.id).where(or_(*(getattr(model, name) == fields[name] for name in unique)))
    return (await session.scalar(found.limit(1))) is not None


@router.post("/login", responses=_INVALID_CREDENTIALS)
async def login(
    credentials: Credentials,  # type: ignore[valid-type]
    session: DBSession,
    response: Response,
) -> TokenOut:
    """Exchange a username and password for a bearer token (`Authorization: Bearer ...`).

    Valid for `AUTH_TOKEN_TTL` seconds, until `POST /auth/logout`, or until the password
    changes. A wrong username, a wrong password and an inactive account give the same 401.
    """
    user = await _log_in(session, credentials)
    issued = await issue_token(session, user)
    _no_store(response)
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/logout", status_code=204, dependencies=Authenticated)
async def logout(
    request: Request, authentication: CurrentAuthentication, session: DBSession, response: Response
) -> None:
    """Revoke the bearer token this request came with, or end its browser session."""
    assert authentication is not None  # current_user refused anonymous requests
    if authentication.token is not None:
        await revoke_token(session, authentication.token)
    if authentication.session is not None:
        await end_session(session, authentication.session)
        clear_session_cookie(response, request)


@router.get("/me")
async def me(user: CurrentUser) -> UserOut:
    """The authenticated user."""
    return UserOut.model_validate(user)


@router.post("/password", status_code=204, dependencies=Authenticated)
async def change_password(
    change: PasswordChange, authentication: CurrentAuthentication, session: DBSession
) -> None:
    """Change the authenticated user's password.

    The current password must be given (a 422 at `current_password` otherwise). Every other
    token and session of the user is revoked, and pending reset tokens spent: a password
    change is how a user locks out whoever else got in. The token or session making this
    request stays valid.
    """
    assert authentication is not None
    user = authentication.user
    if not await user.check_password(change.current_password):
        raise RequestValidationError(
            [
                {
                    "loc": ["body", "current_password"],
                    "msg": "The current password is wrong",
                    "type": "password_incorrect",
                }
            ]
        )
    _password_problems("new_password", change.new_password, user)
    await user.set_password(change.new_password)
    await revoke_user_tokens(session, user.id, keep=authentication.token)
    await end_user_sessions(session, user.id, keep=authentication.session)
    await cancel_password_resets(session, user.id)


@router.post("/password-reset", status_code=202)
async def request_password_reset(
    reset: PasswordResetRequest, session: DBSession, background: BackgroundTasks
) -> Message:
    """Send a password-reset token to the account with this email.

    Always a 202 with the same body: whether the email has an account is not the caller's
    business. A token is sent (through `PASSWORD_RESET_SENDER`, after the response) only to an
    active user with a usable password; it is valid for `PASSWORD_RESET_TIMEOUT` seconds and
    one use.
    """
    user = await _user_by_email(session, reset.email)
    if user is not None and user.is_active and user.has_usable_password():
        message = await create_password_reset(session, user)
        background.add_task(_deliver, message)
    return Message(detail=RESET_REQUESTED)


async def _user_by_email(session: AsyncSession, email: str) -> AbstractUser | None:
    model = get_user_model()
    try:
        address = normalize_email(email)
    except ValueError:
        return None
    column = getattr(model, model.EMAIL_FIELD)
    return (await session.scalars(select(model).where(column == address).limit(1))).first()


async def _deliver(message: PasswordResetMessage) -> None:
    """Hand the message to the sender; its failure is logged, without the token."""
    try:
        await get_password_reset_sender().send_password_reset(message)
    except Exception as exc:
        logger.error(
            "PASSWORD_RESET_SENDER failed to send a password reset to user %s: %s",
            message.user_id,
            type(exc).__name__,
        )


@router.post("/password-reset/confirm", status_code=204, responses=_INVALID_RESET)
async def confirm_password_reset(confirm: PasswordResetConfirm, session: DBSession) -> None:
    """Set a new password with a reset token.

    The token is spent, and every token and session of the user revoked. A malformed, unknown,
    expired or used token is a 400 (the same one for each); a password the validators refuse
    is a 422, and leaves the token unspent.
    """
    found = await find_password_reset(session, confirm.token)
    if found is None:
        raise invalid_reset_token()
    user, row = found
    _password_problems("new_password", confirm.new_password, user)
    if not await spend_password_reset(session, row):
        raise invalid_reset_token()
    await user.set_password(confirm.new_password)
    await revoke_user_tokens(session, user.id)
    await end_user_sessions(session, user.id)
    await cancel_password_resets(session, user.id)


@router.post(
    "/session",
    responses={
        **_INVALID_CREDENTIALS,
        403: {"description": "A login sent from another site's page"},
    },
)
async def create_session(
    credentials: Credentials,  # type: ignore[valid-type]
    request: Request,
    session: DBSession,
    response: Response,
) -> SessionOut:
    """Log in for a browser: the answer sets the session cookie (signed, `HttpOnly`,
    `SameSite`, `Secure` over HTTPS). A session the browser already had is ended, so a session
    key planted before login is worthless after it."""
    from kwik.conf import settings

    if refuses_cross_site(request):
        raise cross_site_refused()
    user = await _log_in(session, credentials)
    previous = request.cookies.get(settings.AUTH_SESSION_COOKIE_NAME)
    if previous:
        await end_session_of_cookie(session, previous)
    started = await start_session(session, user)
    set_session_cookie(response, request, started)
    _no_store(response)
    return SessionOut(user=UserOut.model_validate(user), expires_at=started.row.expires_at)


@router.delete(
    "/session", status_code=204, responses={403: {"description": "Sent from another site"}}
)
async def delete_session(request: Request, session: DBSession, response: Response) -> None:
    """Log a browser out: its session ends (even an expired one, or an inactive user's) and the
    cookie is cleared. Without a session it just clears the cookie."""
    from kwik.conf import settings

    if refuses_cross_site(request):
        raise cross_site_refused()
    cookie = request.cookies.get(settings.AUTH_SESSION_COOKIE_NAME)
    if cookie:
        await end_session_of_cookie(session, cookie)
    clear_session_cookie(response, request)
