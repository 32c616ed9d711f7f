"""POST /accounts/signup: create the account and enqueue its welcome email, in one transaction.

If anything after the enqueue fails (the handler raises, the commit fails), the request rolls
back and takes the job with it: no email for an account that doesn't exist.
"""

from __future__ import annotations

from sqlalchemy import select

from kwik.db import DBSession
from kwik.http import HTTPError, Router

from .models import Account
from .schemas import AccountOut, SignupIn
from .tasks import send_welcome_email

router = Router()


@router.post("/signup", status_code=201)
async def signup(data: SignupIn, session: DBSession) -> AccountOut:
    if await session.scalar(select(Account.id).where(Account.email == data.email)):
        raise HTTPError(409, f"{data.email} already has an account")
    account = Account(email=data.email, name=data.name)
    session.add(account)
    await session.flush()  # the account's id, for the job
    job = await send_welcome_email.enqueue(account.id)  # joins the request's transaction
    return AccountOut(id=account.id, email=account.email, name=account.name, welcome_job=job.id)
