/// A tiny HTTP/1.1 file server on 127.0.0.1 for download tests: serves a folder, honours "Range: bytes=N-",
/// and can cut the first response for chosen files short to simulate a dropped connection. Built on a plain
/// TcpListener so a cut is a graceful close after the bytes sent (an abort could make the client drop them).
module InitLab.Host.Tests.Data.LocalFileServer

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading.Tasks

type Server(folder: string, cutFirstResponseAfter: Map<string, int64>) =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    do listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    let log = ConcurrentQueue<string * string>()
    let cut = ConcurrentDictionary<string, int64>(cutFirstResponseAfter)

    let respond (stream: Stream) (status: string) (headers: (string * string) list) =
        let text =
            StringBuilder($"HTTP/1.1 {status}\r\nConnection: close\r\n")
                .Append(String.Join("", headers |> List.map (fun (k, v) -> $"{k}: {v}\r\n")))
                .Append("\r\n")
        let b = Encoding.ASCII.GetBytes(text.ToString())
        stream.Write(b, 0, b.Length)

    let handle (client: TcpClient) =
        use client = client
        use stream = client.GetStream()
        use reader = new StreamReader(stream, Encoding.ASCII, false, 1024, true)
        let requestLine = reader.ReadLine()
        let headers =
            Seq.initInfinite (fun _ -> reader.ReadLine())
            |> Seq.takeWhile (fun l -> not (String.IsNullOrEmpty l))
            |> Seq.map (fun l -> let i = l.IndexOf ':' in l[.. i - 1].Trim().ToLowerInvariant(), l[i + 1 ..].Trim())
            |> Map.ofSeq
        let target = (requestLine.Split ' ')[1]
        let name = Uri.UnescapeDataString(target.TrimStart('/'))
        let range = headers |> Map.tryFind "range" |> Option.defaultValue ""
        log.Enqueue(name, range)
        let path = Path.Combine(folder, name)
        if not (File.Exists path) then
            respond stream "404 Not Found" [ "Content-Length", "0" ]
        else
            let bytes = File.ReadAllBytes path
            let start = if range.StartsWith "bytes=" && range.EndsWith "-" then int64 range[6 .. range.Length - 2] else 0L
            if start >= int64 bytes.Length then
                respond stream "416 Range Not Satisfiable" [ "Content-Length", "0" ]
            else
                let length = int64 bytes.Length - start
                if start > 0L then
                    respond stream "206 Partial Content" [ "Content-Length", string length; "Content-Range", $"bytes {start}-{bytes.Length - 1}/{bytes.Length}" ]
                else
                    respond stream "200 OK" [ "Content-Length", string length ]
                let send =
                    match cut.TryRemove name with
                    | true, after -> min after length
                    | _ -> length
                stream.Write(bytes, int start, int send)
        stream.Flush()
        client.Client.Shutdown SocketShutdown.Send

    let loop =
        Task.Run(fun () ->
            try
                while true do
                    let c = listener.AcceptTcpClient()
                    Task.Run(fun () -> try handle c with _ -> ()) |> ignore
            with _ -> ())

    member _.BaseUri = Uri($"http://127.0.0.1:{port}/")
    /// Requests received: (file name, Range header or "").
    member _.Requests = List.ofSeq log

    interface IDisposable with
        member _.Dispose() =
            listener.Stop()
            loop.Wait(TimeSpan.FromSeconds 5.0) |> ignore
