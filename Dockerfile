# Multi-stage build of the evtrigger binary; the runtime image runs as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/evtrigger ./cmd/evtrigger

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates bash && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 evtrigger
COPY --from=build /out/evtrigger /usr/local/bin/evtrigger
# Rules name their scripts relative to the working directory, as in the repository.
WORKDIR /opt/evtrigger
COPY rules/examples rules/examples
COPY deploy/rabbitmq deploy/rabbitmq
# The topics `evtrigger kafka create-topics` creates by default.
COPY deploy/kafka deploy/kafka
USER evtrigger
ENTRYPOINT ["/usr/local/bin/evtrigger"]
