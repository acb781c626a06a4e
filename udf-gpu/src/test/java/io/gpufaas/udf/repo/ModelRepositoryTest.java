package io.gpufaas.udf.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.contract.InputKind;
import io.gpufaas.udf.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {

    @TempDir
    Path repo;

    private static final String TENSOR_DESCRIPTOR = "{\"input\":{\"kinds\":[\"TENSOR\"],\"shape\":[-1,4]}}";

    private Path function(String name, String descriptor, int... versions) throws Exception {
        Path dir = Files.createDirectories(repo.resolve(name));
        Files.writeString(dir.resolve("function.json"), descriptor);
        for (int v : versions) {
            Files.write(Files.createDirectories(dir.resolve(Integer.toString(v))).resolve("model.pt"), new byte[v * 10]);
        }
        return dir;
    }

    @Test
    void readsTheCommittedRepository() {
        List<FunctionDefinition> functions = ModelRepository.scan(TestRepository.path());

        assertThat(functions).extracting(FunctionDefinition::name).containsExactly("tiny-cnn", "tiny-mlp");
        FunctionDefinition cnn = functions.get(0);
        assertThat(cnn.spec().inputKinds()).containsExactlyInAnyOrder(InputKind.IMAGE, InputKind.TENSOR);
        assertThat(cnn.spec().tensorShape()).containsExactly(-1, 3, 16, 16);
        assertThat(cnn.image().width()).isEqualTo(16);
        assertThat(cnn.topK()).isEqualTo(2);
        assertThat(cnn.label(3)).isEqualTo("class_3");
        FunctionDefinition mlp = functions.get(1);
        assertThat(mlp.label(1)).isEqualTo("dog");
        assertThat(mlp.image()).isNull();
        assertThat(mlp.modelFileBytes()).isPositive();
    }

    @Test
    void servesTheHighestVersionUnlessOneIsPinned() throws Exception {
        function("multi", TENSOR_DESCRIPTOR, 1, 3, 2);
        function("pinned", "{\"version\":1,\"input\":{\"kinds\":[\"TENSOR\"]}}", 1, 2);

        List<FunctionDefinition> functions = ModelRepository.scan(repo);

        assertThat(functions).extracting(FunctionDefinition::version).containsExactly(3, 1);
        assertThat(functions.get(0).modelFileBytes()).isEqualTo(30);
    }

    @Test
    void readsCopyLimits() throws Exception {
        function("pinned", "{\"input\":{\"kinds\":[\"TENSOR\"]},\"copies\":{\"min\":1,\"max\":2}}", 1);
        function("bad-copies", "{\"input\":{\"kinds\":[\"TENSOR\"]},\"copies\":{\"min\":3,\"max\":2}}", 1);

        assertThatThrownBy(() -> ModelRepository.scan(repo)).hasMessageContaining("bad-copies: copies.min (3) exceeds copies.max (2)");
        FunctionDefinition pinned = ModelRepository.readFunction(repo, "pinned");
        assertThat(pinned.minCopies()).isEqualTo(1);
        assertThat(pinned.maxCopies()).isEqualTo(2);
        assertThat(ModelRepository.readFunction(TestRepository.path(), "tiny-mlp").maxCopies()).isZero();
    }

    @Test
    void reportsEveryProblemAtOnce() throws Exception {
        function("Bad_Name", TENSOR_DESCRIPTOR, 1);
        function("no-versions", TENSOR_DESCRIPTOR);
        function("not-json", "{", 1);
        function("no-kinds", "{\"input\":{}}", 1);
        function("bad-kind", "{\"input\":{\"kinds\":[\"AUDIO\"]}}", 1);
        function("onnx", "{\"format\":\"onnx\",\"input\":{\"kinds\":[\"TENSOR\"]}}", 1);
        function("image-without-size", "{\"input\":{\"kinds\":[\"IMAGE\"]}}", 1);
        function("bad-topk", "{\"input\":{\"kinds\":[\"TENSOR\"]},\"output\":{\"topK\":0}}", 1);
        function("good", TENSOR_DESCRIPTOR, 1);

        assertThatThrownBy(() -> ModelRepository.scan(repo))
                .isInstanceOfSatisfying(RepositoryException.class, e -> assertThat(e.problems()).hasSize(8))
                .hasMessageContaining("Bad_Name: directory name is not a valid function name")
                .hasMessageContaining("no-versions: no numeric version directory")
                .hasMessageContaining("not-json: function.json is not valid JSON")
                .hasMessageContaining("no-kinds: input.kinds must list")
                .hasMessageContaining("bad-kind: input kind 'AUDIO'")
                .hasMessageContaining("onnx: format 'onnx' is not supported")
                .hasMessageContaining("image-without-size: input.image")
                .hasMessageContaining("bad-topk: 'topK' must be a positive integer");
    }

    @Test
    void refusesModelFilesThatEscapeTheRepository(@TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.pt"), "not yours");
        Path dir = function("escape", TENSOR_DESCRIPTOR);
        Files.createDirectories(dir.resolve("1"));
        Files.createSymbolicLink(dir.resolve("1/model.pt"), secret);
        function("dotdot", "{\"model\":\"../../x.pt\",\"input\":{\"kinds\":[\"TENSOR\"]}}", 1);

        assertThatThrownBy(() -> ModelRepository.scan(repo))
                .hasMessageContaining("escape: model file resolves to")
                .hasMessageContaining("outside the repository")
                .hasMessageContaining("dotdot: 'model' must be a plain file name");
    }

    @Test
    void aMissingRepositoryIsAClearError() {
        assertThatThrownBy(() -> ModelRepository.scan(repo.resolve("nope")))
                .isInstanceOf(RepositoryException.class)
                .hasMessageContaining("cannot read the repository");
    }
}
