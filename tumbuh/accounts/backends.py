"""Login throttling backend: django-axes' check, applied to web logins (which always carry the
request). `authenticate()` called by server code without a request (tests' `client.login`,
scripts) has no client address to throttle and falls through to the model backend."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
