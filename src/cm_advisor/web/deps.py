"""Annotated dependency aliases so routes read as what they use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue
from cm_advisor.storage import Store
from cm_advisor.web.urls import Urls


async def _catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def _urls(request: Request) -> Urls:
    urls: Urls = request.app.state.urls
    return urls


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
SettingsDep = Annotated[Settings, Depends(_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
StoreDep = Annotated[Store, Depends(_store)]
UrlsDep = Annotated[Urls, Depends(_urls)]
