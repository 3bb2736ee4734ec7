"""Rejections that apply only when an object exists (``if obj and obj.user != current_user:
return 403``) turn away the caller who is not the owner, and so the anonymous one, on a route
that addresses an object; on a route that creates one there is no object and no check. A
hook that turns away the anonymous caller under a condition of its own (FlaskBB's
``force_login_if_needed``: only in a forum closed to guests) stays a guard."""
from routeguard import scan_sources

MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    body = db.Column(db.Text)
"""

POSTS = """
from flask import Blueprint, abort, request
from flask_login import current_user

from .models import Post, db

posts = Blueprint("posts", __name__)


def load_post(post_id):
    return Post.query.get(post_id) if post_id else None


@posts.route("/posts/<int:post_id>/edit", methods=["POST"])
def edit_post(post_id):
    post = load_post(post_id)
    if post and post.user_id != current_user.id:
        abort(403)
    post.body = request.form["body"]
    db.session.commit()
    return "", 204


@posts.route("/posts/new", methods=["POST"])
def new_post():
    post = load_post(request.form.get("reply_to"))
    if post and post.user_id != current_user.id:
        abort(403)
    db.session.add(Post(user_id=current_user.id, body=request.form["body"]))
    db.session.commit()
    return "", 201
"""

FORUM = """
from flask import Blueprint, current_app, g
from flask_login import current_user

from .models import db

forum = Blueprint("forum", __name__)


def should_force_login(user, forum):
    return not user.is_authenticated and not forum.guests_allowed


def force_login_if_needed():
    if g.current_forum and should_force_login(current_user, g.current_forum):
        return current_app.login_manager.unauthorized()


forum.before_request(force_login_if_needed)


@forum.route("/forum/<int:forum_id>/mark-read", methods=["POST"])
def mark_read(forum_id):
    db.session.execute(db.text("UPDATE forum_reads SET read = 1"))
    db.session.commit()
    return "", 204
"""

APP = """
from flask import Flask

from .forum import forum
from .posts import posts

app = Flask(__name__)
app.register_blueprint(posts)
app.register_blueprint(forum)
"""


def _routes():
    report = scan_sources({"app/__init__.py": APP, "app/models.py": MODELS, "app/posts.py": POSTS,
                           "app/forum.py": FORUM})
    return {r.path: r for r in report.graph.routes}, {(f.rule_id, f.location.line) for f in report.visible()}


def test_owner_check_on_an_existing_object_guards_the_route_that_addresses_it():
    routes, _ = _routes()
    assert routes["/posts/<int:post_id>/edit"].auth.value == "protected"


def test_owner_check_that_lets_everyone_through_without_an_object_does_not_guard_a_create_route():
    routes, found = _routes()
    assert routes["/posts/new"].auth.value == "unprotected"
    assert ("RG101", POSTS.splitlines().index('@posts.route("/posts/new", methods=["POST"])') + 1) in found


def test_a_hook_that_turns_away_anonymous_callers_under_its_own_condition_stays_a_guard():
    routes, _ = _routes()
    assert routes["/forum/<int:forum_id>/mark-read"].auth.value == "protected"
