package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.render.Table;
import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.LocalS3;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ProjectDir;
import io.stowage.cli.stack.StowageHome;
import io.stowage.localstack.BrokerSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Optional;

/** {@code stowage up}: starts the local stack, or whatever part of it is not running. */
@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Start the local stack (starts nothing twice).",
                "A Kafka broker, the contract's topics, an S3 server (S3Proxy, bucket stowage, its key pair in the",
                "secret local-s3) and every service that is built, each a detached process; waits until every",
                "service is ready."})
public class UpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "" + LocalBroker.DEFAULT_PORT,
            description = "Port of the local Kafka broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--s3-port", paramLabel = "PORT", defaultValue = "" + LocalS3.DEFAULT_PORT,
            description = "Port of the local S3 server on 127.0.0.1, plain HTTP (default: ${DEFAULT-VALUE}).")
    int s3Port;

    @Option(names = "--secure", paramLabel = "SHAPE", arity = "0..1", fallbackValue = "sasl_ssl",
            converter = SecureShapeConverter.class,
            description = "Run the broker as production runs Kafka: sasl_ssl (the default with --secure: SCRAM-SHA-512"
                    + " logins over TLS) or mtls (client certificates), with ACLs. Topics are set up as the admin"
                    + " user; the services and later stowage commands connect as the service user, their"
                    + " credentials in owner-only files. A broker keeps the shape it was made in.")
    BrokerSecurity secure;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        StowageHome home = homeOption.home();
        LocalStack stack = new LocalStack(home, ProjectDir.fromDefault());
        KafkaConnection kafka = stack.up(kafkaPort, s3Port,
                Optional.of(secure == null ? BrokerSecurity.PLAINTEXT : secure), out);
        printWhereThingsAre(stack, kafka, out);
    }

    static void printWhereThingsAre(LocalStack stack, KafkaConnection kafka, PrintWriter out) {
        StowageHome home = stack.home();
        out.println();
        out.println("The local stack is up.");
        Table table = new Table("", "", "")
                .row("Kafka broker", kafka.toString(), stack.broker().clientProperties()
                        .map(file -> "other stowage commands find it; other clients need the client properties " + file)
                        .orElse(kafka.bootstrapServers().equals(LocalBroker.DEFAULT_ADDRESS) ? ""
                                : "other stowage commands find it; other clients need this address"));
        stack.s3().running().ifPresent(s3 -> table.row("S3 server", s3.endpoint().toString(),
                "bucket " + LocalS3.BUCKET + ", path-style; keys in the secret " + LocalS3.SECRET));
        table
                .row("Config folder", home.config().toString(), "BackupConfig YAML: write a file, then rename it into place")
                .row("Secrets", home.secrets().toString(), "secret N, key K = the file N/K")
                .row("Logs", home.logs().toString(), "one file per service; kafka.log is the broker's")
                .row("Pids", home.run().toString(), "")
                .bodyLines().forEach(line -> out.println("  " + line));
        out.println();
        out.println("Next:");
        out.println("  ./stowage demo          a demo database backed up to two storages, then its main storage switched");
        out.println("  ./stowage status        processes, applied topologies, last rejections");
        out.println("  ./stowage events tail   follow the bus as it happens (Ctrl-C stops)");
        out.println("  ./stowage down          stop everything; the state stays in " + home.root());
        out.flush();
    }
}
