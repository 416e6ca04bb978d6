# The PDF layer: the native libraries WeasyPrint needs (Pango, HarfBuzz, fontconfig, FreeType, FriBiDi and
# what they load) and the DejaVu fonts, taken from the same Amazon Linux 2023 the python3.13 Lambda runtime
# runs, laid out as a layer: /opt/lib (on Lambda's LD_LIBRARY_PATH) and /opt/fonts (FONTCONFIG_PATH).
# Built by infra/build-pdf-layer.sh; linted by hadolint in tests/infra/test_pdf_function.py.
FROM public.ecr.aws/lambda/python:3.13

# The base image's tag fixes the distribution release, and with it these packages' versions.
# hadolint ignore=DL3041
RUN dnf install -y pango harfbuzz fontconfig freetype fribidi dejavu-sans-fonts findutils \
    && dnf clean all \
    && rm -rf /var/cache/dnf

# Copy each library WeasyPrint opens, with everything it links to that the runtime itself lacks.
COPY infra/pdf-layer-collect.sh /usr/local/bin/pdf-layer-collect.sh
RUN bash /usr/local/bin/pdf-layer-collect.sh /layer

# fontconfig writes its cache under /tmp: the only writable place in Lambda.
RUN mkdir -p /layer/fonts \
    && cp /usr/share/fonts/dejavu-sans-fonts/DejaVuSans*.ttf /layer/fonts/ \
    && printf '%s\n' '<?xml version="1.0"?>' '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">' '<fontconfig>' \
       '  <dir>/opt/fonts</dir>' '  <cachedir>/tmp/fontconfig</cachedir>' '</fontconfig>' > /layer/fonts/fonts.conf

WORKDIR /layer
