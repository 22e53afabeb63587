"""The app's kernels: one per page view, capped, and culled once their page is gone.

Each visitor's page gets a kernel of its own (about 200 MB). Beyond `max_kernels` at once, a new
visitor gets a polite "busy, try again" page instead of a kernel; kernels of pages closed or left
idle are culled by Jupyter Server's own settings (see `server.command`).
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

BUSY = "The planning app is busy: too many people are using it at once. Please try again in a few minutes."


class BoundedKernelManager(AsyncMappingKernelManager):
    """Kernels for the app's pages, no more than `max_kernels` at once."""

    max_kernels = Integer(
        6, config=True, help="kernels (page views) running at once; beyond it a visitor is asked to wait"
    )

    async def start_kernel(self, *args, **kwargs):
        if len(self.list_kernel_ids()) >= self.max_kernels:
            raise web.HTTPError(503, BUSY, reason="Busy")
        return await super().start_kernel(*args, **kwargs)
