# One image for every role of Conference Program; the role is the command:
#   docker run conference-program command-api --host 0.0.0.0
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared_domain shared_domain
COPY service_conventions service_conventions
COPY command_service command_service
COPY query_service query_service
COPY conference_cli conference_cli
COPY migrations migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 conference
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER conference
WORKDIR /home/conference
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["conference"]
CMD ["--help"]
