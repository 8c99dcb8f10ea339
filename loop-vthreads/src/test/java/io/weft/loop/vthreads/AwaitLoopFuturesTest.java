package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.exec.BlockingWork;
import io.weft.loop.core.exec.LoopFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A virtual thread of a loop awaits the futures of loop-core's {@code exec} package with {@link
 * VirtualThreads#await}: it parks, and the outcome, delivered on the loop thread, resumes it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AwaitLoopFuturesTest extends VThreadsFixture {

    @Override
    protected String pollerName() {
        return "nio";
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void awaitingBlockingWorkParksTheVirtualThreadUntilTheOutcomeReachesTheLoop(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        CountDownLatch release = new CountDownLatch(1);
        Spawned<String> waiter = spawn(threads, () -> VirtualThreads.await(BlockingWork.of(loop).submitBlocking(() -> {
            release.await();
            return "from the worker";
        })));
        try {
            awaitParked(waiter.thread());
        } finally {
            release.countDown();
        }
        assertThat(waiter.join()).isEqualTo("from the worker");
    }

    @ParameterizedTest
    @EnumSource(Carrier.class)
    void awaitingAnyStageBroughtOntoTheLoopParksUntilItCompletes(Carrier carrier) throws Exception {
        EventLoop loop = loop();
        VirtualThreads threads = VirtualThreads.forLoop(loop, carrier);
        CompletableFuture<Integer> elsewhere = new CompletableFuture<>();
        Spawned<Boolean> waiter = spawn(threads, () -> VirtualThreads.await(
                LoopFuture.completeOnLoop(loop, elsewhere).thenApplyAsync(value -> value == 42 && loop.inLoop())));
        awaitParked(waiter.thread());
        elsewhere.complete(42);
        assertThat(waiter.join()).as("the async stage ran on the loop").isTrue();
    }
}
