// Training takes its dropout masks from torch's process-wide generator, seeded per step; tests running in parallel
// would draw from it in between and break the resume test's step-for-step reproducibility. libtorch already uses
// every core for each operation, so running the tests one at a time costs little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// TorchSharp is used here with libtorch-cpu-linux-x64 only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
