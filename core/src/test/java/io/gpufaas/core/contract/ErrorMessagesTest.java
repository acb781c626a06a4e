package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorMessagesTest {

    @Test
    void keepsTheFirstLineWithoutHostPaths() {
        String traceback = "The following operation failed in the TorchScript interpreter.\n"
                + "Traceback of TorchScript, serialized code (most recent call last):\n"
                + "  File \"/home/builder/work/torch/nn/functional.py\", line 12";
        assertThat(ErrorMessages.brief(traceback)).isEqualTo("The following operation failed in the TorchScript interpreter.");
        assertThat(ErrorMessages.brief("cannot open /srv/models/resnet50/1/model.pt: denied"))
                .isEqualTo("cannot open <path>: denied");
        assertThat(ErrorMessages.brief("shape [1, 4] vs 2/3")).isEqualTo("shape [1, 4] vs 2/3");
    }

    @Test
    void capsTheLength() {
        assertThat(ErrorMessages.brief("x".repeat(5_000))).hasSize(ErrorMessages.MAX_CHARS).endsWith("...");
        assertThat(ErrorMessages.brief((String) null)).isEmpty();
    }

    @Test
    void namesTheThrowable() {
        assertThat(ErrorMessages.brief(new OutOfMemoryError("Java heap space"))).isEqualTo("OutOfMemoryError: Java heap space");
        assertThat(ErrorMessages.brief(new StackOverflowError())).isEqualTo("StackOverflowError");
    }

    @Test
    void onlyABrokenJvmIsFatal() {
        assertThat(FatalErrors.isFatal(new OutOfMemoryError())).isFalse();
        assertThat(FatalErrors.isFatal(new StackOverflowError())).isFalse();
        assertThat(FatalErrors.isFatal(new IllegalStateException())).isFalse();
        assertThat(FatalErrors.isFatal(new InternalError())).isTrue();
    }
}
