# @@NAME@@ @@VERSION@@: @@CHECKSUM_NOTE@@
RUN set -eu; mkdir -p /tmp/atlantis-run-@@NAME@@ /usr/local/bin; cd /tmp/atlantis-run-@@NAME@@; \
    curl -fsSL -o @@ASSET@@ '@@URL@@'; \
    @@VERIFY@@; \
    mv @@ASSET@@ /usr/local/bin/@@NAME@@; chmod 0755 /usr/local/bin/@@NAME@@; \
    cd /; rm -rf /tmp/atlantis-run-@@NAME@@; \
    @@SMOKE_TEST@@
