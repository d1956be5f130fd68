// settings_reader_test.cpp — sdk/include/jobengine/settings_reader.hpp: null and non-table
// configs, the unknown-key line, and for each read* the absent key (default kept), the value
// stored, and the wrong-type and out-of-range lines to the letter (the plugins' unit tests and
// the contract test rely on them).
#include <jobengine/settings_reader.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

// The reader serves pure-C++ plugin cores: it must not drag the ABI in.
#ifdef JOBENGINE_ABI_H
#error "settings_reader.hpp must not include abi.h"
#endif

namespace jobengine::sdk {
namespace {

using Read = std::function<void(const SettingsReader&)>;

// The what() of the SettingsError `action` throws; a failure when it throws nothing.
std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const SettingsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected SettingsError";
  return "";
}

// Constructing a reader is the whole check of the table.
void checkTable(std::string_view plugin_id, const nlohmann::json& config,
                std::initializer_list<std::string_view> allowed_keys) {
  const SettingsReader reader(plugin_id, config, allowed_keys);
}

// A plugin's settings struct in miniature: the initializers are the defaults.
struct DemoSettings {
  int n = 7;
  double x = 1.5;
  std::string s = "default";
  bool b = true;
};

// What a plugin's parse function looks like.
DemoSettings readDemo(const nlohmann::json& config) {
  DemoSettings settings;
  const SettingsReader reader("demo", config, {"n", "x", "s", "b"});
  reader.readInt("n", 0, 10, settings.n);
  reader.readNumber("x", 1.0, 100.0, settings.x);
  reader.readString("s", settings.s);
  reader.readBool("b", settings.b);
  return settings;
}

// The error line of reading {"k": value} from [plugins.demo] with `read`.
std::string errorReading(const nlohmann::json& value, const Read& read) {
  const nlohmann::json config = {{"k", value}};
  const SettingsReader reader("demo", config, {"k"});
  return errorOf([&] { read(reader); });
}

TEST(SettingsReader, NullTableKeepsEveryDefault) {
  const DemoSettings settings = readDemo(nullptr);  // no [plugins.demo] table at all
  EXPECT_EQ(settings.n, 7);
  EXPECT_DOUBLE_EQ(settings.x, 1.5);
  EXPECT_EQ(settings.s, "default");
  EXPECT_TRUE(settings.b);
}

TEST(SettingsReader, NonTableNamesPluginAndType) {
  EXPECT_EQ(errorOf([] { checkTable("demo", nlohmann::json::array(), {}); }),
            "plugins.demo: expected a table, got an array");
  EXPECT_EQ(errorOf([] { checkTable("demo", 3, {}); }),
            "plugins.demo: expected a table, got an integer");
  EXPECT_EQ(errorOf([] { checkTable("demo", "x", {}); }),
            "plugins.demo: expected a table, got a string");
  EXPECT_THROW(checkTable("demo", false, {}), std::invalid_argument);  // what the glue catches
}

TEST(SettingsReader, UnknownKeyNamesPluginKeyAndAllowedKeys) {
  const nlohmann::json config = {{"a", 1}, {"colour", "red"}};
  EXPECT_EQ(errorOf([&] {
              checkTable("demo-plugin", config, {"a", "b"});
            }),
            "plugins.demo-plugin: unknown key 'colour' (allowed: a, b)");
  EXPECT_EQ(errorOf([&] { checkTable("demo", config, {}); }),
            "plugins.demo: unknown key 'a' (allowed: none)");
  EXPECT_NO_THROW(checkTable("demo", nlohmann::json::object(), {}));
}

TEST(SettingsReader, PresentKeysAreStoredAndAbsentOnesKeepTheirDefault) {
  const DemoSettings settings = readDemo({{"n", 10}, {"x", 4}, {"s", ""}});
  EXPECT_EQ(settings.n, 10);
  EXPECT_DOUBLE_EQ(settings.x, 4.0);  // an integer is a number too
  EXPECT_EQ(settings.s, "");
  EXPECT_TRUE(settings.b);  // absent

  EXPECT_DOUBLE_EQ(readDemo({{"x", 3.5}}).x, 3.5);
  EXPECT_FALSE(readDemo({{"b", false}}).b);
}

TEST(SettingsReader, ErrorLinesNameTheKeyAndWhatIsAllowed) {
  const Read read_int = [](const SettingsReader& r) {
    int out = 0;
    r.readInt("k", 0, 10, out);
  };
  const Read read_number = [](const SettingsReader& r) {
    double out = 0.0;
    r.readNumber("k", 1.0, 100.0, out);
  };
  const Read read_string = [](const SettingsReader& r) {
    std::string out;
    r.readString("k", out);
  };
  const Read read_bool = [](const SettingsReader& r) {
    bool out = false;
    r.readBool("k", out);
  };
  const struct {
    nlohmann::json value;
    const Read& read;
    const char* error;
  } cases[] = {
      {-1, read_int, "plugins.demo.k: must be between 0 and 10, got -1"},
      {1LL << 40, read_int, "plugins.demo.k: must be between 0 and 10, got 1099511627776"},
      {3.0, read_int, "plugins.demo.k: expected an integer, got a number"},
      {"3", read_int, "plugins.demo.k: expected an integer, got a string"},
      {nullptr, read_int, "plugins.demo.k: expected an integer, got null"},
      {100.5, read_number, "plugins.demo.k: must be between 1.0 and 100.0, got 100.5"},
      {0, read_number, "plugins.demo.k: must be between 1.0 and 100.0, got 0"},
      {true, read_number, "plugins.demo.k: expected a number, got a boolean"},
      {5, read_string, "plugins.demo.k: expected a string, got an integer"},
      {nlohmann::json::array({1}), read_string, "plugins.demo.k: expected a string, got an array"},
      {nlohmann::json::object({{"a", 1}}), read_string,
       "plugins.demo.k: expected a string, got a table"},
      {1, read_bool, "plugins.demo.k: expected a boolean, got an integer"},
      {"true", read_bool, "plugins.demo.k: expected a boolean, got a string"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(errorReading(c.value, c.read), c.error) << "value " << c.value.dump();
  }
}

TEST(SettingsReader, RefusedValueLeavesTheFieldAlone) {
  const nlohmann::json config = {{"n", 11}};
  const SettingsReader reader("demo", config, {"n"});
  int n = 5;
  EXPECT_THROW(reader.readInt("n", 0, 10, n), SettingsError);
  EXPECT_EQ(n, 5);
}

}  // namespace
}  // namespace jobengine::sdk
