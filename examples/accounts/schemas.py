"""What the signup endpoint reads and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SignupIn(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    name: str = Field(min_length=1, max_length=100)


class AccountOut(BaseModel):
    id: int
    email: str
    name: str
    welcome_job: int
