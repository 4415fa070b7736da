/// One FsCheck seed per test run, printed at the start, so any property failure can be replayed:
/// INITLAB_FSCHECK_SEED=N runs every property from seed N. Shared by both suites (linked into Host.Tests).
module InitLab.Tests.FsCheckSeed

open System
open Expecto

let variable = "INITLAB_FSCHECK_SEED"

/// SplitMix (FsCheck's generator) needs an odd gamma; fixed, so the seed alone names a run.
let private gamma = 0x9E3779B97F4A7C15UL

/// The run's seed: INITLAB_FSCHECK_SEED if set, else a fresh one.
let seed : uint64 =
    match Environment.GetEnvironmentVariable variable with
    | null | "" -> uint64 (Random.Shared.NextInt64 Int64.MaxValue)
    | s ->
        match UInt64.TryParse s with
        | true, v -> v
        | _ -> failwithf "%s must be an unsigned integer, got '%s'" variable s

/// Expecto's FsCheck configuration running `maxTest` cases from the run's seed.
let config maxTest = { FsCheckConfig.defaultConfig with maxTest = maxTest; replay = Some(seed, gamma, None) }

/// Prints the seed and how to replay it (called by each suite's entry point before any test runs).
let announce () = printfn "FsCheck seed %d (replay: %s=%d)" seed variable seed
