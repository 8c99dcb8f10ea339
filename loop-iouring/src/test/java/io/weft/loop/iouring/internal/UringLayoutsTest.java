package io.weft.loop.iouring.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The struct layouts against the sizes and offsets of {@code <linux/io_uring.h>}. */
class UringLayoutsTest {

    @Test
    void theStructsHaveTheKernelsSizes() {
        assertThat(UringLayouts.PARAMS.byteSize()).isEqualTo(120);
        assertThat(UringLayouts.SQRING_OFFSETS.byteSize()).isEqualTo(40);
        assertThat(UringLayouts.CQRING_OFFSETS.byteSize()).isEqualTo(40);
        assertThat(UringLayouts.SQE.byteSize()).isEqualTo(64);
        assertThat(UringLayouts.CQE.byteSize()).isEqualTo(16);
        assertThat(UringLayouts.GETEVENTS_ARG.byteSize()).isEqualTo(24);
        assertThat(UringLayouts.TIMESPEC.byteSize()).isEqualTo(16);
        assertThat(UringLayouts.BUF.byteSize()).isEqualTo(16);
        assertThat(UringLayouts.BUF_RING_HEAD.byteSize()).as("overlays one io_uring_buf").isEqualTo(UringLayouts.BUF.byteSize());
        assertThat(UringLayouts.BUF_REG.byteSize()).isEqualTo(40);
    }

    @Test
    void theCompletionBackendsOffsetsAreTheLayoutsOffsets() {
        assertThat(UringLayouts.SQE.byteOffset(groupElement("flags"))).isEqualTo(UringLayouts.SQE_FLAGS);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("ioprio"))).isEqualTo(UringLayouts.SQE_IOPRIO);
        assertThat(UringLayouts.CQE.byteOffset(groupElement("flags"))).isEqualTo(UringLayouts.CQE_FLAGS);
        assertThat(UringLayouts.BUF.byteOffset(groupElement("len"))).isEqualTo(UringLayouts.BUF_LEN);
        assertThat(UringLayouts.BUF.byteOffset(groupElement("bid"))).isEqualTo(UringLayouts.BUF_BID);
        assertThat(UringLayouts.BUF_RING_HEAD.byteOffset(groupElement("tail"))).as("where bufs[0].resv is")
                .isEqualTo(UringLayouts.BUF_RING_TAIL).isEqualTo(UringLayouts.BUF.byteOffset(groupElement("resv")));
        assertThat(UringLayouts.BUF_REG.byteOffset(groupElement("ring_entries"))).isEqualTo(UringLayouts.BUF_REG_ENTRIES);
        assertThat(UringLayouts.BUF_REG.byteOffset(groupElement("bgid"))).isEqualTo(12);
    }

    @Test
    void theOffsetConstantsAreTheLayoutsOffsets() {
        assertThat(UringLayouts.PARAMS.byteOffset(groupElement("cq_entries"))).isEqualTo(UringLayouts.PARAMS_CQ_ENTRIES);
        assertThat(UringLayouts.PARAMS.byteOffset(groupElement("flags"))).isEqualTo(UringLayouts.PARAMS_FLAGS);
        assertThat(UringLayouts.PARAMS.byteOffset(groupElement("features"))).isEqualTo(UringLayouts.PARAMS_FEATURES);
        assertThat(UringLayouts.PARAMS.byteOffset(groupElement("sq_off"))).isEqualTo(UringLayouts.PARAMS_SQ_OFF);
        assertThat(UringLayouts.PARAMS.byteOffset(groupElement("cq_off"))).isEqualTo(UringLayouts.PARAMS_CQ_OFF);
        assertThat(UringLayouts.SQRING_OFFSETS.byteOffset(groupElement("tail"))).isEqualTo(UringLayouts.OFF_TAIL);
        assertThat(UringLayouts.SQRING_OFFSETS.byteOffset(groupElement("ring_mask"))).isEqualTo(UringLayouts.OFF_RING_MASK);
        assertThat(UringLayouts.SQRING_OFFSETS.byteOffset(groupElement("flags"))).isEqualTo(UringLayouts.SQ_OFF_FLAGS);
        assertThat(UringLayouts.SQRING_OFFSETS.byteOffset(groupElement("array"))).isEqualTo(UringLayouts.SQ_OFF_ARRAY);
        assertThat(UringLayouts.CQRING_OFFSETS.byteOffset(groupElement("cqes"))).isEqualTo(UringLayouts.CQ_OFF_CQES);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("fd"))).isEqualTo(UringLayouts.SQE_FD);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("addr"))).isEqualTo(UringLayouts.SQE_ADDR);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("len"))).isEqualTo(UringLayouts.SQE_LEN);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("op_flags"))).isEqualTo(UringLayouts.SQE_OP_FLAGS);
        assertThat(UringLayouts.SQE.byteOffset(groupElement("user_data"))).isEqualTo(UringLayouts.SQE_USER_DATA);
        assertThat(UringLayouts.CQE.byteOffset(groupElement("res"))).isEqualTo(UringLayouts.CQE_RES);
        assertThat(UringLayouts.GETEVENTS_ARG.byteOffset(groupElement("ts"))).isEqualTo(16);
    }

    @Test
    void aMissingFeatureIsNamedWithTheLinuxVersionThatAddedIt() {
        int all = UringLayouts.FEAT_SINGLE_MMAP | UringLayouts.FEAT_NODROP | UringLayouts.FEAT_EXT_ARG;
        assertThat(Ring.missingFeature(all)).isNull();
        assertThat(Ring.missingFeature(all & ~UringLayouts.FEAT_EXT_ARG)).contains("IORING_FEAT_EXT_ARG").contains("5.11");
        assertThat(Ring.missingFeature(all & ~UringLayouts.FEAT_NODROP)).contains("IORING_FEAT_NODROP");
        assertThat(Ring.missingFeature(0)).contains("IORING_FEAT_SINGLE_MMAP");
    }
}
