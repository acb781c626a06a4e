package io.gpufaas.job.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A job's state, restart count and last failure, read from Flink's REST API as the web UI reads
 * them ({@code /jobs/:id}, the {@code numRestarts} metric, {@code /jobs/:id/exceptions}).
 */
record JobHealth(String status, long restarts, String lastFailure) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    boolean healthy() {
        return "RUNNING".equals(status) && restarts == 0;
    }

    static JobHealth of(int webPort, String jobId) {
        String base = "http://localhost:" + webPort + "/jobs/" + jobId;
        try {
            String status = get(base).path("state").asText("UNKNOWN");
            long restarts = 0;
            for (JsonNode metric : get(base + "/metrics?get=numRestarts")) {
                restarts = metric.path("value").asLong(0);
            }
            JsonNode exceptions = get(base + "/exceptions?maxExceptions=1").path("exceptionHistory").path("entries");
            String failure = exceptions.isEmpty() ? "none"
                    : exceptions.get(0).path("exceptionName").asText() + ": " + firstLine(exceptions.get(0).path("stacktrace").asText());
            return new JobHealth(status, restarts, failure);
        } catch (Exception e) {
            return new JobHealth("UNKNOWN (REST API: " + e.getMessage() + ")", -1, "unknown");
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
