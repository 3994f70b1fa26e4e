using System.CommandLine;
using System.Text.Json;
using VisualNarrator.Gguf;
using VisualNarrator.Tokenization;

namespace VisualNarrator.Cli.Commands;

/// <summary><c>narrator tokenize --model FILE.gguf|HF_DIR [--json] TEXT</c>: token ids, honouring add_bos_token.</summary>
public static class TokenizeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A GGUF file or a HuggingFace tokenizer folder (vocab.json, merges.txt)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\":[...]}" };
        var text = new Argument<string>("TEXT") { Description = "Text to tokenize" };
        var command = new Command("tokenize", "Show the token ids of a text") { model, json, text };
        command.SetAction(parse => UserInputError.Guard(() =>
        {
            var tokenizer = Load(parse.GetValue(model)!);
            var ids = tokenizer.Encode(parse.GetValue(text)!);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { ids }));
            }
            else
            {
                foreach (var id in ids)
                    Console.WriteLine($"{id,6}  {JsonSerializer.Serialize(tokenizer.Decode([id], skipSpecial: false))}");
                Console.WriteLine($"{ids.Length} tokens");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Loads a tokenizer from a GGUF file or a HuggingFace folder.</summary>
    public static OptTokenizer Load(string path)
    {
        if (Directory.Exists(path)) return OptTokenizer.FromHuggingFaceFolder(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such GGUF file or tokenizer folder");
        return OptTokenizer.FromGguf(GgufFile.Open(path));
    }
}
