using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TogetherVideo.Tests
{
    /// <summary>Just enough JSON to read tests/fixtures/expected.json (netstandard2.0 has
    /// no JSON reader): objects, strings, numbers, true, false, null.</summary>
    internal sealed class MiniJson
    {
        private readonly string text;
        private int at;

        private MiniJson(string text) { this.text = text; }

        public static object Parse(string text)
        {
            var parser = new MiniJson(text);
            var value = parser.Value();
            parser.Space();
            if (parser.at != text.Length) throw new FormatException("trailing text at " + parser.at);
            return value;
        }

        private void Space() { while (at < text.Length && char.IsWhiteSpace(text[at])) at++; }

        private object Value()
        {
            Space();
            char c = text[at];
            if (c == '{') return Object();
            if (c == '"') return String();
            if (text.Substring(at).StartsWith("null")) { at += 4; return null; }
            if (text.Substring(at).StartsWith("true")) { at += 4; return true; }
            if (text.Substring(at).StartsWith("false")) { at += 5; return false; }
            int start = at;
            while (at < text.Length && "+-.0123456789eE".IndexOf(text[at]) >= 0) at++;
            return double.Parse(text.Substring(start, at - start), CultureInfo.InvariantCulture);
        }

        private Dictionary<string, object> Object()
        {
            var result = new Dictionary<string, object>();
            at++;
            Space();
            if (text[at] == '}') { at++; return result; }
            while (true)
            {
                Space();
                var key = String();
                Space();
                at++; // ':'
                result[key] = Value();
                Space();
                if (text[at++] == '}') return result;
            }
        }

        private string String()
        {
            var builder = new StringBuilder();
            at++;
            while (text[at] != '"')
            {
                if (text[at] == '\\')
                {
                    at++;
                    char escaped = text[at];
                    if (escaped == 'u') { builder.Append((char)Convert.ToInt32(text.Substring(at + 1, 4), 16)); at += 4; }
                    else builder.Append(escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
                }
                else builder.Append(text[at]);
                at++;
            }
            at++;
            return builder.ToString();
        }
    }
}
