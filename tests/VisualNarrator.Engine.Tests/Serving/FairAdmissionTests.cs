using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Sampling;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Serving;

/// <summary>The scheduler's one queue: clients take turns, each waiting narration is pushed its real place (also while
/// it waits for KV cells), every stage comes down the stream, and a request is refused at submission with the one
/// message for its rule.</summary>
public sealed class FairAdmissionTests(TestModels models) : IClassFixture<TestModels>
{
    private const string Scene = "Describe this image: a busy city street";

    /// <summary>Never stops by itself: runs until cancelled (or its token budget ends).</summary>
    private static SamplingSettings Endless(int n) => SamplingSettings.Greedy with { MaxNewTokens = n, StopStrings = [] };

    /// <summary>Holds the one slot for seconds: the tests cancel it, they never race it.</summary>
    private static SamplingSettings Holding => Endless(2000);

    private Model LoadHolding() => Model.Load(models.Get("opt", TestModels.Holding, seed: TestModels.HoldingSeed));

    private static SamplingSettings Short => SamplingSettings.Greedy with { MaxNewTokens = 3 };

    /// <summary>Long enough (milliseconds) that one admission is told from the next by its queue wait.</summary>
    private static SamplingSettings Queued => Endless(32);

    [Fact]
    public void FairQueue_serves_clients_round_robin_and_withdraws_anywhere()
    {
        var queue = new FairQueue<string>();
        queue.Enqueue("A", "A1");
        queue.Enqueue("A", "A2");
        queue.Enqueue("A", "A3");
        queue.Enqueue("B", "B1");
        queue.Enqueue("C", "C1");
        queue.Enqueue("B", "B2");
        Assert.Equal(["A1", "B1", "C1", "A2", "B2", "A3"], queue.InTurnOrder());
        Assert.True(queue.TryPeek(out var next));
        Assert.Equal("A1", next);
        Assert.Equal("A1", queue.Dequeue());
        // A had its turn: B and C come first now.
        Assert.Equal(["B1", "C1", "A2", "B2", "A3"], queue.InTurnOrder());
        Assert.True(queue.Remove("C1"));
        Assert.False(queue.Remove("C1"));
        Assert.Equal(["B1", "A2", "B2", "A3"], queue.InTurnOrder());
        // A client that left and comes back gets its turn after everyone waiting.
        queue.Enqueue("C", "C2");
        Assert.Equal(["B1", "A2", "C2", "B2", "A3"], queue.InTurnOrder());
        Assert.Equal(5, queue.Count);
        Assert.Equal(["B1", "A2", "C2", "B2", "A3"], Enumerable.Range(0, 5).Select(_ => queue.Dequeue()));
        Assert.False(queue.TryPeek(out _));
        Assert.Throws<InvalidOperationException>(() => queue.Dequeue());
    }

    [Fact]
    public async Task Clients_take_turns_for_the_one_slot_and_each_waiting_narration_knows_its_place()
    {
        using var model = LoadHolding();
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1 });
        using var stopFirst = new CancellationTokenSource();
        var first = scheduler.Submit(new NarrationRequest(Scene, Holding, Client: "A"), stopFirst.Token);
        var admissions = new AdmissionLog();
        NarrationStream Queue(string client, string id) =>
            admissions.Submit(id, () => scheduler.Submit(new NarrationRequest(Scene, Queued, Client: client)), s => s.Completion);
        var a2 = Queue("A", "A2");
        var a3 = Queue("A", "A3");
        var b1 = Queue("B", "B1");
        // A's second narration waits behind A's first only; B's first goes before A's third.
        Assert.Equal(0, first.QueuePosition);
        Assert.Equal((1, 2, 3), (a2.QueuePosition, b1.QueuePosition, a3.QueuePosition));
        Assert.Equal((1, 3), (scheduler.ActiveCount, scheduler.WaitingCount));
        stopFirst.Cancel();
        Assert.Equal(["A2", "B1", "A3"], await admissions.OrderAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal((0, 0), (scheduler.ActiveCount, scheduler.WaitingCount));
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public async Task Stages_are_pushed_down_the_stream_queued_then_prefilling_decoding_done()
    {
        using var model = LoadHolding();
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1, PrefillChunkTokens = 2 });
        using var stopFirst = new CancellationTokenSource();
        var first = scheduler.Submit(new NarrationRequest(Scene, Holding, Client: "A"), stopFirst.Token);
        var second = scheduler.Submit(new NarrationRequest(Scene, SamplingSettings.Greedy with { MaxNewTokens = 5 }, Client: "B"));
        var updates = await ReadQueuedThenCancel(second, stopFirst);
        Assert.Equal(new NarrationUpdate(NarrationStage.Queued, 1, 0, second.PromptTokens), updates[0]);
        var result = await second.Completion;

        var stages = updates.Select(u => u.Stage).ToList();
        Assert.Equal(NarrationStage.Queued, stages[0]);
        Assert.Equal(NarrationStage.Prefilling, stages[1]);
        var decoding = stages.IndexOf(NarrationStage.Decoding);
        Assert.True(decoding > 1, "decoding follows prefilling");
        Assert.All(stages[1..decoding], s => Assert.Equal(NarrationStage.Prefilling, s));
        // A prompt fed 2 tokens per step reports its progress, in order, up to the whole prompt.
        var progress = updates.Take(decoding).Skip(1).Select(u => u.PromptTokensDone).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.True(progress.Count > 1, "prefill progress is pushed per chunk");
        Assert.All(stages[decoding..^1], s => Assert.Equal(NarrationStage.Decoding, s));
        Assert.Equal(NarrationStage.Done, stages[^1]);
        Assert.Equal(result, updates[^1].Result);
        Assert.Equal(result.Text, string.Concat(updates.Where(u => u.Piece is not null).Select(u => u.Piece!.Text)));
        Assert.All(updates.Skip(1), u => Assert.Equal(0, u.QueuePosition));
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public async Task A_narration_waiting_for_KV_cells_shows_its_real_position()
    {
        using var model = LoadHolding();
        // Two sequences, but 2048 cells: the first narration reserves prompt + 2000 of them, so the second (prompt + 40)
        // waits although a sequence is free.
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 2, Inference = new(ContextSize: 2048) });
        using var stopFirst = new CancellationTokenSource();
        var first = scheduler.Submit(new NarrationRequest(Scene, Holding), stopFirst.Token);
        var second = scheduler.Submit(new NarrationRequest(Scene, Endless(40)));
        Assert.Equal(1, second.QueuePosition);
        Assert.Equal((1, 1), (scheduler.ActiveCount, scheduler.WaitingCount));
        // Read while it still waits: a place read after the narration was admitted is dropped as stale.
        var stages = (await ReadQueuedThenCancel(second, stopFirst)).Select(u => u.Stage).ToList();
        Assert.Equal([NarrationStage.Queued, NarrationStage.Prefilling], stages[..2]);
        Assert.Equal(FinishReason.Length, (await second.Completion).Finish);
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public async Task Cancelling_a_waiting_narration_withdraws_it_and_moves_the_others_up()
    {
        using var model = LoadHolding();
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1 });
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var first = scheduler.Submit(new NarrationRequest(Scene, Holding, Client: "A"), stopFirst.Token);
        var second = scheduler.Submit(new NarrationRequest(Scene, Short, Client: "B"), stopSecond.Token);
        var third = scheduler.Submit(new NarrationRequest(Scene, Short, Client: "C"));
        Assert.Equal((1, 2), (second.QueuePosition, third.QueuePosition));
        stopSecond.Cancel();
        var withdrawn = await second.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FinishReason.Cancelled, withdrawn.Finish);
        Assert.Equal(0, second.QueuePosition);
        Assert.Equal(1, third.QueuePosition);
        Assert.Equal(1, scheduler.WaitingCount);
        stopFirst.Cancel();
        Assert.Equal(FinishReason.Length, (await third.Completion.WaitAsync(TimeSpan.FromSeconds(60))).Finish);
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public async Task Moves_while_nobody_reads_coalesce_into_one_update_with_the_place_at_reading()
    {
        using var model = LoadHolding();
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxSequences = 1 });
        using var stopAll = new CancellationTokenSource();
        var first = scheduler.Submit(new NarrationRequest(Scene, Holding), stopAll.Token);
        var ahead = Enumerable.Range(0, 10).Select(_ => new CancellationTokenSource()).ToList();
        foreach (var cancel in ahead) scheduler.Submit(new NarrationRequest(Scene, Short), cancel.Token);
        var last = scheduler.Submit(new NarrationRequest(Scene, Short));
        Assert.Equal(11, last.QueuePosition);
        // Ten moves up, none of them read yet.
        foreach (var cancel in ahead) cancel.Cancel();
        Assert.Equal(1, last.QueuePosition);
        var updates = await ReadQueuedThenCancel(last, stopAll);
        Assert.Equal(1, updates.Count(u => u.Stage == NarrationStage.Queued));
        Assert.Equal(1, updates[0].QueuePosition);
        Assert.Equal(NarrationStage.Done, updates[^1].Stage);
        ahead.ForEach(c => c.Dispose());
        Assert.Equal(FinishReason.Cancelled, (await first.Completion).Finish);
    }

    [Fact]
    public void A_request_is_refused_at_submission_with_the_one_message_of_its_rule()
    {
        using var model = Model.Load(models.Get("opt", TestModels.Wider));
        using var scheduler = new NarrationScheduler(model, new SchedulerOptions { MaxPromptCharacters = 40, MaxNewTokensLimit = 50 });
        var tooLong = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(new string('x', 41), Short)));
        Assert.Equal((NarrationRejectedException.PromptField, "the prompt has 41 characters; the limit is 40"), (tooLong.Field, tooLong.Message));
        var tooMany = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(Scene, Short with { MaxNewTokens = 51 })));
        Assert.Equal(("MaxNewTokens", "MaxNewTokens = 51 is over this server's limit of 50"), (tooMany.Field, tooMany.Message));
        var empty = Assert.Throws<NarrationRejectedException>(() => scheduler.Submit(new NarrationRequest(" \n ", Short)));
        Assert.Equal("the prompt is empty or only white space; give a scene or a prompt", empty.Message);
        // Nothing refused was queued.
        Assert.Equal((0, 0), (scheduler.ActiveCount, scheduler.WaitingCount));
    }

    /// <summary>Reads a waiting narration's first update (its queued place, in the stream from Submit on), then cancels
    /// the narration holding the slot, then reads the rest. The first read is of a completed read, on this thread: a
    /// reader on the thread pool could start late enough on a busy machine that the holding narration had used up its
    /// 2000 tokens before the cancel.</summary>
    private static async Task<List<NarrationUpdate>> ReadQueuedThenCancel(NarrationStream waiting, CancellationTokenSource stopHolder)
    {
        var updates = waiting.Updates.GetAsyncEnumerator();
        var next = updates.MoveNextAsync();
        Assert.True(next.IsCompletedSuccessfully, "the queued place is in the stream at Submit");
        Assert.True(await next); // already complete: no thread switch before the cancel
        var read = new List<NarrationUpdate> { updates.Current };
        stopHolder.Cancel();
        while (await updates.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60))) read.Add(updates.Current);
        await updates.DisposeAsync();
        return read;
    }
}
