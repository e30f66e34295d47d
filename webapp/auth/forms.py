"""auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

MIN_PASSWORD = 8


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired(message="请输入当前密码"), Length(max=200)])
    new = PasswordField("新密码", validators=[
        DataRequired(message="请输入新密码"),
        Length(min=MIN_PASSWORD, max=200, message="新密码至少 8 位，最多 200 位")])
    repeat = PasswordField("再次输入新密码", validators=[
        DataRequired(message="请再次输入新密码"), EqualTo("new", message="两次输入的新密码不一致")])
