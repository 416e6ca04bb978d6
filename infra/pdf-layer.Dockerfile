# The PDF layer: the native libraries WeasyPrint needs (Pango, HarfBuzz, fontconfig, FreeType, FriBiDi and
# what they load) and the DejaVu fonts, taken from the same Amazon Linux 2023 the python3.13 Lambda runtime
# runs, laid out as a layer: /opt/lib (on Lambda's LD_LIBRARY_PATH) and /opt/fonts (FONTCONFIG_PATH), with a
# fonts.conf whose cache is /tmp/fontconfig.
# Built by infra/build-pdf-layer.sh; linted by hadolint in tests/infra/test_pdf_function.py. The collect step
# (infra/pdf-layer-collect.sh) is the one the CodeBuild project of infra/pdf-layer-codebuild.yaml runs natively.
FROM public.ecr.aws/lambda/python:3.13

COPY infra/pdf-layer-collect.sh infra/pdf_layer_collect.py /usr/local/bin/
RUN bash /usr/local/bin/pdf-layer-collect.sh /layer \
    && dnf clean all \
    && rm -rf /var/cache/dnf

WORKDIR /layer
