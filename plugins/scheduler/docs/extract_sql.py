# Extracts the statements of sql.cpp into <name>.sql files for psql validation.
import re,sys
s=open(sys.argv[1]).read()
m=re.search(r'#define JE_SCHED_GRANT_COLUMNS(.*?)\n\n', s, re.S)
macro=''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
for name,body in re.findall(r'const std::string_view (k\w+) = (.*?)";\n', s, re.S):
    body=body+'"'
    parts=re.findall(r'R"SQL\((.*?)\)SQL"|(JE_SCHED_GRANT_COLUMNS)', body, re.S)
    text=''.join(p[0] if p[0] else macro for p in parts)
    open(f'/tmp/schedsql/{name}.sql','w').write(text)
    print(name, len(text))
