# helpdesk: the Telegram bot in one small image, configured by environment variables only.
#   docker build -t helpdesk .
#   docker run -d --env-file .env -v helpdesk-data:/data --restart unless-stopped helpdesk
# See docs/DEPLOYMENT.md. The token is passed at run time and never written into the image.
FROM python:3.11-slim

# Everything the bot needs (webhook mode, the /stats chart) comes from pyproject.toml; add
# site-specific packages with: docker build --build-arg EXTRA_PACKAGES="..." -t helpdesk .
ARG EXTRA_PACKAGES=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# 1. Dependencies only, read from pyproject.toml: this layer is rebuilt when the dependencies
#    change, not on every code or knowledge edit.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt ${EXTRA_PACKAGES} \
    && rm /tmp/requirements.txt

# 2. The code, installed without touching the dependency layer; then the knowledge base.
COPY README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build ./*.egg-info
COPY knowledge/ knowledge/

# 3. A user without a login and without write access to the code or the knowledge; the database
#    lives on the /data volume, the only place it writes.
RUN groupadd --system --gid 10001 helpdesk \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --home-dir /nonexistent \
        --shell /usr/sbin/nologin helpdesk \
    && mkdir /data \
    && chown 10001:10001 /data
VOLUME ["/data"]

ENV HELPDESK_DB=/data/helpdesk.sqlite3 \
    HELPDESK_KNOWLEDGE=/app/knowledge \
    HELPDESK_WEBHOOK_LISTEN=0.0.0.0 \
    HELPDESK_WEBHOOK_PORT=8443
# Only used in webhook mode; publish it to the reverse proxy alone (docs/DEPLOYMENT.md).
EXPOSE 8443

USER 10001:10001

# Configuration, knowledge base and database, with no network: `helpdesk doctor --offline`.
HEALTHCHECK --interval=60s --timeout=30s --start-period=30s --retries=3 \
    CMD ["helpdesk", "doctor", "--offline"]

CMD ["helpdesk", "run"]
