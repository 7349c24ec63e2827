// The few UnityEngine types the Unity package's sample uses, so that the tests can
// compile the sample without Unity (test-only: the real UnityEngine.dll comes with
// Unity). Only signatures matter here; nothing runs.
namespace UnityEngine
{
    public class Object { }
    public class Component : Object { }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }

    public static class Debug
    {
        public static void Log(object message) { }
        public static void LogWarning(object message) { }
        public static void LogError(object message) { }
    }

    public static class Application
    {
        public static string persistentDataPath { get { return ""; } }
    }
}
