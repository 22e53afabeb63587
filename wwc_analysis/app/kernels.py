"""The app's kernels: one per page view, capped, and culled once their page is gone.

Beyond `max_kernels` a visitor gets the template's "busy, try again" page (503.html); a page closed
normally shuts its kernel at once (Voilà's shutdown call needs the `_xsrf` cookie set here).
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

BUSY = "Too many people are using it at once. Please try again in a few minutes."


class BoundedKernelManager(AsyncMappingKernelManager):
    """Kernels for the app's pages, no more than `max_kernels` at once."""

    max_kernels = Integer(6, config=True, help="kernels (page views) at once; beyond it a visitor is asked to wait")
    _starting = 0  # kernels asked for and not yet started (two visitors at the same moment count as two)

    async def start_kernel(self, *args, **kwargs):
        """Start a kernel, or refuse with HTTP 503 and the BUSY sentence when the cap is reached."""
        if len(self.list_kernel_ids()) + self._starting >= self.max_kernels:
            raise web.HTTPError(503, BUSY, reason="Busy")
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1


def give_xsrf_cookie(handler, notebook=None, cwd=None) -> None:
    """Voilà's hook before a page's kernel starts: set the `_xsrf` cookie on the page's response.

    Voilà's page shuts its kernel down on leaving with a POST carrying that cookie's value, and Voilà
    never sets the cookie itself; without it the POST is refused and the kernel waits for the culler."""
    handler.xsrf_token  # noqa: B018 - reading it sets the cookie
