# agentemu as a container: serves every vendor on 0.0.0.0:4599 with the default fixtures.
#   docker build -t agentemu .
#   docker run --rm -p 4599:4599 agentemu
# Configure it with AGENTEMU_* variables (-e AGENTEMU_AUTH=lenient) or flags after the image name.
# tests/image/chroot-image.test.mjs replays the final stage in a Debian 12 chroot, so what it
# installs and copies here is what that test runs.

# The build: the toolchain and the release binary, made as scripts/run makes them.
FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/lib/common.sh scripts/lib/common.sh
RUN bash -c 'source scripts/lib/common.sh && ensure_packages "${BUILD_PACKAGES[@]}"'
COPY . .
RUN CCACHE_DISABLE=1 bash -c 'source scripts/lib/common.sh && build /src/build Release OFF OFF agentemu' \
 && strip build/agentemu

# The image: Debian 12, OpenSSL's runtime library, the binary and the default fixtures.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 agentemu \
 && useradd --system --uid 10001 --gid agentemu --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin agentemu \
 && mkdir /scenarios
COPY --from=build /src/build/agentemu /usr/local/bin/agentemu
COPY --from=build /src/fixtures/ /fixtures/
# /fixtures and /scenarios are the folders to mount: a folder of fixtures replaces the defaults, a
# file mounted beside them (/fixtures/zz-mine.json) is applied after them, and scenario files are
# watched and reloaded on change.
ENV AGENTEMU_HOST=0.0.0.0 \
    AGENTEMU_PORT=4599 \
    AGENTEMU_FIXTURES=/fixtures \
    AGENTEMU_SCENARIOS=/scenarios
USER 10001:10001
WORKDIR /
EXPOSE 4599
# bash's /dev/tcp speaks the one request, so the image carries no HTTP client for the probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${AGENTEMU_PORT:-4599} && printf \"GET /_emulator/health HTTP/1.1\\r\\nHost: localhost\\r\\n${AGENTEMU_ADMIN_TOKEN:+Authorization: Bearer %s\\r\\n}Connection: close\\r\\n\\r\\n\" \"$AGENTEMU_ADMIN_TOKEN\" >&3 && grep -q '\"status\":\"ok\"' <&3"]
ENTRYPOINT ["/usr/local/bin/agentemu"]
