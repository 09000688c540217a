export const USAGE = `usage: tessera <command> [options]

  upload <path>     upload a file (one chunk stream) and print the node it became
    --address <host:port>       intake gateway (TESSERA_ADDRESS, 127.0.0.1:50051)
    --name <name>               name in the drive (default: the file's name)
    --drive <id>                drive (default: default)
    --chunk-mib <n>             chunk size in MiB (default 8)
    --json                      the result as one JSON object

  download <node-id> read the node's current version into a file
    --output, -o <path>         where to write it (required)
    --address <host:port>       intake gateway (TESSERA_ADDRESS, 127.0.0.1:50051)
    --json                      the result as one JSON object

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
    --wait <seconds>            wait this long for the trace to reach Jaeger and stop growing

  lab latency       run the services with S3 behind Toxiproxy, upload and download before and after
                    injecting latency, and report from the traces where the time went
    --s3 <ms>                   latency added to every S3 connection (required)
    --error-rate <0-1>          share of S3 connections reset (default 0)
    --size-kib <n>              file size (default 64), --chunk-kib <n> (default 64)
    --rounds <n>                uploads and downloads per phase (default 5)
    --jaeger <url>              Jaeger query (TESSERA_JAEGER_URL, http://127.0.0.1:16686)
    --json                      the report as JSON

Exit codes: 0 done, 1 the service, Kafka, the registry or Jaeger failed, 2 bad usage.`;
