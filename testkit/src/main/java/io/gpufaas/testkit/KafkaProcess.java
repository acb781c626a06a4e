package io.gpufaas.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft broker in a JVM of its own, with its data in a directory: unlike
 * {@link EmbeddedKafka} it can be stopped and started again on the same port with the same data,
 * as an operator restarting a broker would. For tests of what the job does while the broker is
 * away.
 */
public final class KafkaProcess extends KafkaBroker {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** The administrator of a secured broker: a super user, whose SASL settings the test's clients use. */
    public static final String ADMIN = "admin";

    private final Path dir;
    private final int port;
    /** SASL/PLAIN users and their passwords; empty for a plain broker. */
    private final Map<String, String> users;
    private Process process;

    private KafkaProcess(Path dir, int port, Map<String, String> users) {
        this.dir = dir;
        this.port = port;
        this.users = Map.copyOf(users);
    }

    /** Formats a new broker's storage in {@code dir} on free ports; {@link #start()} runs it. */
    public static KafkaProcess format(Path dir) throws IOException, InterruptedException {
        return format(dir, Map.of());
    }

    /**
     * Formats a secured broker: clients authenticate with SASL/PLAIN as one of {@code users}
     * (name to password; {@link #ADMIN} is added as the super user), and KRaft's
     * {@code StandardAuthorizer} allows only what ACLs grant.
     */
    public static KafkaProcess formatSecured(Path dir, Map<String, String> users) throws IOException, InterruptedException {
        Map<String, String> all = new java.util.LinkedHashMap<>(users);
        all.put(ADMIN, "admin-secret");
        return format(dir, all);
    }

    private static KafkaProcess format(Path dir, Map<String, String> users) throws IOException, InterruptedException {
        int port = freePort();
        int controllerPort = freePort();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        String clients = users.isEmpty() ? "PLAINTEXT" : "SASL_PLAINTEXT";
        p.setProperty("listeners", clients + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", clients + "://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", clients + ":" + clients + ",CONTROLLER:PLAINTEXT");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("inter.broker.listener.name", clients);
        if (!users.isEmpty()) {
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "username=\"" + ADMIN + "\" password=\"" + users.get(ADMIN) + "\"");
            users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            p.setProperty("sasl.enabled.mechanisms", "PLAIN");
            p.setProperty("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.setProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
            p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // The controller listener (loopback, this node only) is plaintext: its principal is ANONYMOUS.
            p.setProperty("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
            p.setProperty("allow.everyone.if.no.acl.found", "false");
        }
        p.setProperty("log.dirs", logs.toString());
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        try (var out = Files.newBufferedWriter(dir.resolve("server.properties"))) {
            p.store(out, "a test broker");
        }
        KafkaProcess broker = new KafkaProcess(dir, port, users);
        Process format = broker.java("kafka.tools.StorageTool", "format", "--standalone", "-t",
                Uuid.randomUuid().toString(), "-c",
                dir.resolve("server.properties").toString()).redirectOutput(dir.resolve("format.log").toFile())
                .redirectErrorStream(true).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the broker's storage failed; see " + dir.resolve("format.log"));
        }
        return broker;
    }

    /** Starts the broker and waits until it answers. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is already running");
        }
        process = java("kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Properties admin = clientProperties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited during start-up; see " + dir.resolve("broker.log"));
            }
            if (accepting()) {
                try (Admin a = Admin.create(admin)) {
                    a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    // not ready yet
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not start within " + START_TIMEOUT);
            }
            Thread.sleep(200); // polling a port: there is nothing to wait on
        }
    }

    /** Stops the broker the way an operator would (SIGTERM, a clean shutdown), keeping its data. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The administrator's client settings on a secured broker; none on a plain one. */
    @Override
    public Properties clientProperties() {
        return users.isEmpty() ? new Properties() : clientProperties(ADMIN);
    }

    /** A client's SASL settings as {@code user} of this secured broker. */
    public Properties clientProperties(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "' on this broker");
        }
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_PLAINTEXT");
        p.setProperty("sasl.mechanism", "PLAIN");
        p.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A JVM with this one's class path, which holds the Kafka server. */
    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
