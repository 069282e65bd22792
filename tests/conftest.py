import os

# Playwright's sync API runs an event loop in the test thread; the ORM then refuses
# to run unless told it is safe (it is: one thread, our own loop).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
