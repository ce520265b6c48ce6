# @@NAME@@ @@VERSION@@: @@CHECKSUM_NOTE@@
# gcloud runs on python3, taken from the image's own package manager (signed packages).
ENV CLOUDSDK_PYTHON=python3
RUN set -eu; mkdir -p /tmp/atlantis-run-@@NAME@@ /usr/local/bin; cd /tmp/atlantis-run-@@NAME@@; \
    if command -v apk >/dev/null; then apk add --no-cache python3; \
    elif command -v apt-get >/dev/null; then apt-get update; apt-get install -y --no-install-recommends python3; rm -rf /var/lib/apt/lists/*; \
    else echo 'gcloud needs python3, and this image has neither apk nor apt-get to install it' >&2; exit 1; fi; \
    curl -fsSL -o @@ASSET@@ '@@URL@@'; \
    @@VERIFY@@; \
    tar -xzf @@ASSET@@ -C /opt; \
    /opt/google-cloud-sdk/bin/gcloud config set --installation component_manager/disable_update_check true; \
    ln -sf /opt/google-cloud-sdk/bin/gcloud /opt/google-cloud-sdk/bin/gsutil /opt/google-cloud-sdk/bin/bq /usr/local/bin/; \
    cd /; rm -rf /tmp/atlantis-run-@@NAME@@; \
    @@SMOKE_TEST@@
