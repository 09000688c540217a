export const USAGE = `usage: tessera <command> [options]

  upload <path>     upload a file over parallel chunk streams and print the node it became; an
                    upload cut short (Ctrl-C, crash) is resumed by running the same command again
    --address <host:port>       intake gateway (TESSERA_ADDRESS, 127.0.0.1:50051)
    --name <name>               name in the drive (default: the file's name)
    --drive <id>                drive (default: default)
    --chunk-mib <n>             chunk size in MiB (default 8)
    --streams <n>               chunk streams (or direct PUTs) at once (default 4)
    --transfer <how>            streamed (default): through the gateway; direct: each chunk PUT
                                straight to S3 by a presigned URL (chunks >= 5 MiB); auto: direct
                                when the server and S3 allow it, else streamed
    --direct                    the same as --transfer direct
    --json                      the result as one JSON object

  resume <path>     continue the remembered upload of this file (same options as upload); fails
                    when there is none

  download <node-id> read a node into a file, over parallel ranged reads
    --output, -o <path>         where to write it (required)
    --version <n>               that version (default: the latest)
    --offset <byte>, --length <bytes>   only that range
    --parallel <n>              reads at once (default 4), --range-mib <n> each (default 16)
    --transfer <how>            streamed (default): ReadFile through the gateway; direct: ranged
                                GETs of a presigned URL straight from S3; auto: direct when the
                                server gives a URL and S3 answers, else streamed
    --direct                    the same as --transfer direct
    --address <host:port>       intake gateway (TESSERA_ADDRESS, 127.0.0.1:50051)
    --json                      the result as one JSON object

  status <upload-id> an upload's state, received and missing chunks
  ls                the nodes of a drive (--drive <id>, default: default; --limit <n>)
  versions <node-id> every version of a node, newest first
  rm <node-id>      delete a node and all its versions
                    (each: --address <host:port>, --json for one JSON object per line)

  events tail       print lifecycle events as they arrive, decoded with the schema each one
                    names in Apicurio Registry
    --brokers <host:port,...>   Kafka bootstrap brokers (TESSERA_KAFKA_BROKERS, 127.0.0.1:9092)
    --topic <name>              lifecycle topic (TESSERA_LIFECYCLE_TOPIC, tessera.lifecycle.v1)
    --registry <url>            Apicurio REST API v3 (TESSERA_SCHEMA_REGISTRY_URL,
                                http://127.0.0.1:8080/apis/registry/v3)
    --from-beginning            start at the oldest event the topic holds, not at the newest
    --node <node_id>            only this node's events
    --max-events <n>            stop after n events
    --idle-timeout <seconds>    stop once no event arrived for this long
    --json                      one JSON object per line

  trace <trace-id>  print a trace from Jaeger as a waterfall: one line per span, bars on a time axis
    --jaeger <url>              Jaeger query (TESSERA_JAEGER_URL, http://127.0.0.1:16686)
    --width <columns>           line width (the terminal's, or 120)
    --wait <seconds>            wait this long for the trace to reach Jaeger and stop growing (no new span for 6 s)

Exit codes: 0 done, 1 the service, Kafka, the registry or Jaeger failed, 2 bad usage,
130 interrupted (an interrupted upload resumes when run again).`;
