# One image for every role of Conference Program; the role is the command:
#   docker run conference-program command-api --host 0.0.0.0
# Installs exactly what uv.lock pins (hashes checked), without the dev extra.
FROM python:3.11-slim AS build
WORKDIR /src
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1
COPY scripts/uv scripts/uv
COPY pyproject.toml uv.lock README.md ./
# The dependencies first: their layer stays cached while only the code changes.
RUN scripts/uv sync --frozen --no-install-project
COPY shared_domain shared_domain
COPY service_conventions service_conventions
COPY command_service command_service
COPY query_service query_service
COPY conference_cli conference_cli
COPY migrations migrations
RUN scripts/uv sync --frozen --no-editable

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 conference
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
USER conference
WORKDIR /home/conference
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["conference"]
CMD ["--help"]
