curl -fsSL -o checksums '@@CHECKSUMS_URL@@'; \
    expected=$(awk '$2 == "@@ASSET@@" || $2 == "*@@ASSET@@" { print $1 }' checksums); \
    [ -n "$expected" ] || { echo '@@ASSET@@ is not listed in @@CHECKSUMS_URL@@' >&2; exit 1; }; \
    echo "$expected  @@ASSET@@" | sha256sum -c -
