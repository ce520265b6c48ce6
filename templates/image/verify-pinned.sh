echo '@@SHA256@@  @@ASSET@@' | sha256sum -c -
