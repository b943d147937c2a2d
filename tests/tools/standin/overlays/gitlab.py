"""GitLab: where python-gitlab's resource tables (gitlab_resources.py) leave out what the real API
takes.

- `GET /projects/:id/merge_requests/:merge_request_iid/diffs` ("List merge request diffs",
  GitLab 15.7+, docs.gitlab.com/api/merge_requests) is in no manager's table: python-gitlab
  reaches diffs only through the deprecated `/changes` custom action and `/versions`. It is a
  paged list (`page`, `per_page`) with the `unidiff` filter.
- `GET /projects/:id` takes `statistics`, `license` and `with_custom_attributes` ("Get a single
  project", docs.gitlab.com/api/projects), which python-gitlab passes through as keyword
  arguments without declaring them (`_optional_get_attrs` is empty).
- `PUT /projects/:id/issues/:issue_iid` takes `add_labels` and `remove_labels` ("Edit an issue",
  docs.gitlab.com/api/issues), missing from `ProjectIssueManager._update_attrs`.
"""


def apply(description):
    description._add(
        "GET",
        "/projects/{project_id}/merge_requests/{mr_iid}/diffs",
        query=("unidiff",),
        listing=True,
    )
    description.route("GET", "/projects/{id}")["query"] |= {"statistics", "license", "with_custom_attributes"}
    description.route("PUT", "/projects/{project_id}/issues/{id}")["optional"] |= {"add_labels", "remove_labels"}
