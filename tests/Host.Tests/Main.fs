module InitLab.Host.Tests.Main

[<EntryPoint>]
let main argv = InitLab.Tests.SuiteRunner.run argv
