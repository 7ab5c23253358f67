"""The peer a user would pick instead: pycontribs/jira (Debian's python3-jira), which signs with
oauthlib. Sets customfield_10314 on the issues given, one after another, the way its documentation
shows: read the issue, then update it. Run by `npm run bench` against the same simulator.

    python3 bench/peer_jira.py BASE_URL CONSUMER_KEY ACCESS_TOKEN PRIVATE_KEY_FILE VALUE KEY [KEY ...]
"""
import os
import resource
import sys

from jira import JIRA


def main() -> int:
    base_url, consumer_key, access_token, key_file, value, *keys = sys.argv[1:]
    with open(key_file, encoding="utf-8") as handle:
        key_cert = handle.read()
    jira = JIRA(
        server=base_url,
        oauth={"access_token": access_token, "access_token_secret": "", "consumer_key": consumer_key, "key_cert": key_cert},
    )
    for key in keys:
        issue = jira.issue(key, fields="customfield_10314")
        issue.update(fields={"customfield_10314": {"value": value}}, notify=True)
    return 0


if __name__ == "__main__":
    code = main()
    # The peak resident set size, in KiB, for the benchmark's memory column.
    if os.environ.get("BENCH_RSS_FILE"):
        with open(os.environ["BENCH_RSS_FILE"], "w", encoding="utf-8") as handle:
            handle.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    sys.exit(code)
